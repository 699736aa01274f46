import type { IceCandidate } from '#common/contract/calls.js';

/** What a CallPeer sends through the server. */
export interface PeerSignals {
  ice(candidate: IceCandidate): void;
  renegotiate(description: { type: 'offer' | 'answer'; sdp: string }): void;
}

export type PeerEvents = {
  connection(state: RTCPeerConnectionState): void;
  remoteStream(stream: MediaStream): void;
  /** An ICE restart went out (caller) or came in (callee). */
  iceRestarted(): void;
};

/** How long a connection may stay `disconnected` before the caller restarts ICE (a network change). */
const disconnectedRestartMs = 3000;

/**
 * One RTCPeerConnection for one call. Candidates are held back in both directions until they can be used:
 * mine until the server knows the call (my invite or answer was acknowledged), the other side's until
 * its description is set. The caller restarts ICE when the connection fails or stays disconnected; the
 * callee answers the new offer. Bitrate adapts through the browser's own congestion control.
 */
export class CallPeer {
  readonly connection: RTCPeerConnection;
  private readonly remoteStream = new MediaStream();
  private signalled = false;
  private readonly outgoing: IceCandidate[] = [];
  private readonly incoming: RTCIceCandidateInit[] = [];
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    configuration: RTCConfiguration,
    private readonly role: 'caller' | 'callee',
    private readonly signals: PeerSignals,
    private readonly events: PeerEvents,
  ) {
    this.connection = new RTCPeerConnection(configuration);
    this.connection.addEventListener('icecandidate', (event) => {
      if (event.candidate === null || event.candidate.candidate === '') return;
      const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = event.candidate.toJSON();
      const init: IceCandidate = { candidate: candidate ?? '', sdpMid, sdpMLineIndex, usernameFragment };
      if (this.signalled) this.signals.ice(init);
      else this.outgoing.push(init);
    });
    this.connection.addEventListener('track', (event) => {
      if (!this.remoteStream.getTracks().includes(event.track)) this.remoteStream.addTrack(event.track);
      this.events.remoteStream(this.remoteStream);
    });
    this.connection.addEventListener('connectionstatechange', () => this.onConnectionState());
  }

  addLocalStream(stream: MediaStream): void {
    for (const track of stream.getTracks()) this.connection.addTrack(track, stream);
  }

  async createOffer(): Promise<string> {
    await this.connection.setLocalDescription(await this.connection.createOffer());
    return this.connection.localDescription?.sdp ?? '';
  }

  async answerOffer(sdp: string): Promise<string> {
    await this.setRemote({ type: 'offer', sdp });
    await this.connection.setLocalDescription(await this.connection.createAnswer());
    return this.connection.localDescription?.sdp ?? '';
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.setRemote({ type: 'answer', sdp });
  }

  /** The server knows the call now: candidates held back go out, later ones at once. */
  signallingOpen(): void {
    this.signalled = true;
    for (const candidate of this.outgoing.splice(0)) this.signals.ice(candidate);
  }

  async addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (this.connection.remoteDescription === null) {
      this.incoming.push(candidate);
      return;
    }
    await this.connection.addIceCandidate(candidate).catch((error: unknown) => console.warn('an ICE candidate was refused', error));
  }

  /** An offer or answer during the call (an ICE restart). */
  async renegotiated(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    if (description.type === 'answer') {
      await this.connection.setRemoteDescription(description);
      return;
    }
    await this.connection.setRemoteDescription(description);
    await this.connection.setLocalDescription(await this.connection.createAnswer());
    this.signals.renegotiate({ type: 'answer', sdp: this.connection.localDescription?.sdp ?? '' });
    this.events.iceRestarted();
  }

  /** The caller offers again with fresh ICE credentials, so a new path (a new network) can be found. */
  async restartIce(): Promise<void> {
    if (this.role !== 'caller' || this.closed || this.connection.signalingState !== 'stable') return;
    await this.connection.setLocalDescription(await this.connection.createOffer({ iceRestart: true }));
    this.signals.renegotiate({ type: 'offer', sdp: this.connection.localDescription?.sdp ?? '' });
    this.events.iceRestarted();
  }

  senders(): RTCRtpSender[] {
    return this.connection.getSenders();
  }

  close(): void {
    this.closed = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.connection.close();
  }

  private async setRemote(description: RTCSessionDescriptionInit): Promise<void> {
    await this.connection.setRemoteDescription(description);
    for (const candidate of this.incoming.splice(0)) {
      await this.connection.addIceCandidate(candidate).catch((error: unknown) => console.warn('an ICE candidate was refused', error));
    }
  }

  private onConnectionState(): void {
    const state = this.connection.connectionState;
    this.events.connection(state);
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (state === 'failed') void this.restartIce().catch((error: unknown) => console.warn('ICE restart failed', error));
    if (state === 'disconnected') {
      this.restartTimer = setTimeout(() => void this.restartIce().catch((error: unknown) => console.warn('ICE restart failed', error)), disconnectedRestartMs);
    }
  }
}
