import { create } from 'zustand';
import type { CallEndReason, CallMedia, IceCandidate } from '#common/contract/calls.js';
import { api } from '../../app/app-store.js';
import { CallPeer } from './call-peer.js';
import { askNotificationPermissionOnce, closeCallNotification } from './call-notifications.js';
import { callMediaActive } from './media-permission.js';
import { Ringtone } from './ringtone.js';
import type { CallSignalling } from './call-signalling.js';

export type CallPhase = 'idle' | 'outgoing' | 'incoming' | 'connecting' | 'active' | 'ended';
export type CallPeerInfo = { userId: string; phone: string };
/** Why the call screen says the call is over: the server's reasons, or no usable microphone/camera here. */
export type EndedReason = CallEndReason | 'no-devices';

type CallState = {
  phase: CallPhase;
  callId: string | undefined;
  peer: CallPeerInfo | undefined;
  media: CallMedia;
  direction: 'outgoing' | 'incoming';
  muted: boolean;
  cameraOff: boolean;
  /** The connection dropped and ICE is being restarted. */
  reconnecting: boolean;
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  invitedAt: number | undefined;
  connectedAt: number | undefined;
  /** Invite (or, for the callee, answer) to the first connected state, in milliseconds: the call set-up time. */
  setupMs: number | undefined;
  /** The caller's part after the callee answered: their answer arriving to connected, in milliseconds. */
  answerSetupMs: number | undefined;
  answeredAt: number | undefined;
  /** ICE restarts in this call (network changes, failures). */
  iceRestarts: number;
  endedReason: EndedReason | undefined;
};

const idle: CallState = {
  phase: 'idle',
  callId: undefined,
  peer: undefined,
  media: 'audio',
  direction: 'outgoing',
  muted: false,
  cameraOff: false,
  reconnecting: false,
  localStream: undefined,
  remoteStream: undefined,
  invitedAt: undefined,
  connectedAt: undefined,
  setupMs: undefined,
  answerSetupMs: undefined,
  answeredAt: undefined,
  iceRestarts: 0,
  endedReason: undefined,
};

export const useCall = create<CallState>(() => idle);

/** What is not for rendering: the connection, the offer waiting for an answer, the signalling. */
const session: {
  peer?: CallPeer;
  offer?: string;
  /** The caller's candidates that arrived while this device was still ringing. */
  early: RTCIceCandidateInit[];
  signalling?: CallSignalling;
  endTimer?: ReturnType<typeof setTimeout>;
} = { early: [] };
const ringtone = new Ringtone();
/** How long the "call ended" screen stays before it closes by itself. */
const endedScreenMs = 4000;

export function useSignalling(signalling: CallSignalling | undefined): void {
  session.signalling = signalling;
}

function signalling(): CallSignalling {
  if (session.signalling === undefined) throw new Error('not connected to the server');
  return session.signalling;
}

const busyPhases: readonly CallPhase[] = ['outgoing', 'incoming', 'connecting', 'active'];
export const inCall = () => busyPhases.includes(useCall.getState().phase);

async function localMedia(media: CallMedia): Promise<MediaStream> {
  // Asked only now, as a call starts; the desktop allows media to the app only while a call is on.
  await callMediaActive(true);
  return navigator.mediaDevices.getUserMedia({ audio: true, video: media === 'video' ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false });
}

async function newPeer(role: 'caller' | 'callee', callId: string): Promise<CallPeer> {
  const ice = await api().callIceServers();
  const configuration: RTCConfiguration = { iceServers: ice.iceServers, ...(ice.iceTransportPolicy ? { iceTransportPolicy: ice.iceTransportPolicy } : {}) };
  return new CallPeer(
    configuration,
    role,
    {
      ice: (candidate: IceCandidate) => void signalling().ice(callId, candidate),
      renegotiate: (description) => void signalling().renegotiate(callId, description),
    },
    {
      remoteStream: (stream) => useCall.setState({ remoteStream: stream }),
      connection: (state) => onConnectionState(callId, state),
      iceRestarted: () => {
        if (useCall.getState().callId === callId) useCall.setState((state) => ({ iceRestarts: state.iceRestarts + 1 }));
      },
    },
  );
}

function onConnectionState(callId: string, state: RTCPeerConnectionState): void {
  const current = useCall.getState();
  if (current.callId !== callId) return;
  if (state === 'connected') {
    const now = performance.now();
    useCall.setState({
      phase: 'active',
      reconnecting: false,
      connectedAt: current.connectedAt ?? Date.now(),
      setupMs: current.setupMs ?? (current.invitedAt === undefined ? undefined : Math.round(now - current.invitedAt)),
      answerSetupMs: current.answerSetupMs ?? (current.answeredAt === undefined ? undefined : Math.round(now - current.answeredAt)),
    });
  } else if (state === 'disconnected' || state === 'failed') {
    if (current.phase === 'active') useCall.setState({ reconnecting: true });
  }
}

/** Starts a call: microphone (and camera) asked now, the offer made, every device of the callee rung. */
export async function startCall(peer: CallPeerInfo, media: CallMedia): Promise<void> {
  if (inCall()) return;
  askNotificationPermissionOnce();
  const callId = crypto.randomUUID();
  clearTimeout(session.endTimer);
  useCall.setState({ ...idle, phase: 'outgoing', callId, peer, media, direction: 'outgoing', invitedAt: performance.now() });
  let stream: MediaStream;
  try {
    stream = await localMedia(media);
  } catch {
    finish(callId, 'no-devices');
    return;
  }
  if (useCall.getState().callId !== callId) return stopStream(stream);
  useCall.setState({ localStream: stream });
  try {
    const connection = await newPeer('caller', callId);
    session.peer = connection;
    connection.addLocalStream(stream);
    const sdp = await connection.createOffer();
    ringtone.start('ringback');
    const ack = await signalling().invite({ callId, to: { userId: peer.userId }, media, sdp });
    if ('error' in ack) throw Object.assign(new Error(ack.error.message), { code: ack.error.code });
    connection.signallingOpen();
  } catch (error) {
    // Refused (not allowed, already in a call) or not sent: no call screen, the button says why.
    finish(callId, 'failed');
    dismissEnded();
    throw error;
  }
}

/** A call rings here (unless this device is in a call: then the caller hears busy). */
export function incomingCall(callId: string, from: CallPeerInfo, media: CallMedia, sdp: string): void {
  if (useCall.getState().callId === callId) return;
  if (inCall()) {
    void signalling().hangup({ callId, reason: 'busy' });
    return;
  }
  clearTimeout(session.endTimer);
  session.offer = sdp;
  session.early = [];
  useCall.setState({ ...idle, phase: 'incoming', callId, peer: from, media, direction: 'incoming' });
  ringtone.start('incoming');
}

export async function acceptCall(): Promise<void> {
  const { callId, media, phase } = useCall.getState();
  const offer = session.offer;
  if (phase !== 'incoming' || callId === undefined || offer === undefined) return;
  ringtone.stop();
  closeCallNotification();
  useCall.setState({ phase: 'connecting', invitedAt: performance.now() });
  let stream: MediaStream;
  try {
    stream = await localMedia(media);
  } catch {
    void signalling().hangup({ callId, reason: 'failed' });
    finish(callId, 'no-devices');
    return;
  }
  if (useCall.getState().callId !== callId) return stopStream(stream);
  useCall.setState({ localStream: stream });
  const connection = await newPeer('callee', callId);
  session.peer = connection;
  connection.addLocalStream(stream);
  const sdp = await connection.answerOffer(offer);
  for (const candidate of session.early.splice(0)) await connection.addRemoteCandidate(candidate);
  const ack = await signalling().answer({ callId, sdp });
  if ('error' in ack) {
    finish(callId, 'answered-elsewhere');
    return;
  }
  connection.signallingOpen();
}

export function declineCall(): void {
  const { callId, phase } = useCall.getState();
  if (callId === undefined || phase !== 'incoming') return;
  void signalling().hangup({ callId, reason: 'declined' });
  finish(callId, 'declined');
}

export function hangUp(): void {
  const { callId } = useCall.getState();
  if (callId === undefined) return;
  if (inCall()) void signalling().hangup({ callId, reason: 'hangup' });
  finish(callId, 'hangup');
}

/** The server's word on the call: answered, candidates, renegotiation, the end. */
export async function remoteAnswered(callId: string, sdp: string): Promise<void> {
  if (useCall.getState().callId !== callId || session.peer === undefined) return;
  ringtone.stop();
  useCall.setState({ phase: 'connecting', answeredAt: performance.now() });
  await session.peer.acceptAnswer(sdp);
}

export async function remoteCandidate(callId: string, candidate: RTCIceCandidateInit): Promise<void> {
  if (useCall.getState().callId !== callId) return;
  if (session.peer === undefined) session.early.push(candidate);
  else await session.peer.addRemoteCandidate(candidate);
}

export async function remoteRenegotiated(callId: string, description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
  if (useCall.getState().callId !== callId) return;
  await session.peer?.renegotiated(description);
}

export function remoteEnded(callId: string, reason: CallEndReason): void {
  if (useCall.getState().callId !== callId || !inCall()) return;
  finish(callId, reason);
}

/** Network back (a new Wi-Fi, say): the caller looks for a new path at once. */
export function networkChanged(): void {
  if (useCall.getState().phase === 'active') void session.peer?.restartIce();
}

export function toggleMute(): void {
  const muted = !useCall.getState().muted;
  for (const track of useCall.getState().localStream?.getAudioTracks() ?? []) track.enabled = !muted;
  useCall.setState({ muted });
}

export function toggleCamera(): void {
  const cameraOff = !useCall.getState().cameraOff;
  for (const track of useCall.getState().localStream?.getVideoTracks() ?? []) track.enabled = !cameraOff;
  useCall.setState({ cameraOff });
}

/** The next camera or microphone of this machine, swapped in without renegotiating. */
export async function switchDevice(kind: 'audioinput' | 'videoinput'): Promise<void> {
  const stream = useCall.getState().localStream;
  const connection = session.peer;
  if (stream === undefined || connection === undefined) return;
  const current = kind === 'audioinput' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (current === undefined) return;
  const devices = (await navigator.mediaDevices.enumerateDevices()).filter((device) => device.kind === kind);
  if (devices.length < 2) return;
  const at = devices.findIndex((device) => device.deviceId === current.getSettings().deviceId);
  const next = devices[(at + 1) % devices.length];
  if (next === undefined) return;
  const constraint = { deviceId: { exact: next.deviceId } };
  const fresh = await navigator.mediaDevices.getUserMedia(kind === 'audioinput' ? { audio: constraint } : { video: constraint });
  const track = kind === 'audioinput' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
  if (track === undefined) return;
  track.enabled = current.enabled;
  await connection.senders().find((sender) => sender.track === current)?.replaceTrack(track);
  stream.removeTrack(current);
  current.stop();
  stream.addTrack(track);
  useCall.setState({ localStream: new MediaStream(stream.getTracks()) });
}

export function peerConnection(): RTCPeerConnection | undefined {
  return session.peer?.connection;
}

export function dismissEnded(): void {
  if (useCall.getState().phase === 'ended') useCall.setState(idle);
}

function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function finish(callId: string, reason: EndedReason): void {
  const state = useCall.getState();
  if (state.callId !== callId || state.phase === 'ended') return;
  ringtone.stop();
  closeCallNotification();
  session.peer?.close();
  session.peer = undefined;
  session.offer = undefined;
  session.early = [];
  stopStream(state.localStream);
  void callMediaActive(false);
  useCall.setState({ phase: 'ended', endedReason: reason, localStream: undefined, remoteStream: undefined, reconnecting: false });
  session.endTimer = setTimeout(dismissEnded, endedScreenMs);
}
