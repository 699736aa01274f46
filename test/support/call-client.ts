import { randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { CallMedia } from '#common/contract/calls.js';
import type { ChatMessage } from '#common/contract/messages.js';
import { parseAck, validatedListener, type Ack, type ClientToServerEvents, type ServerEventName, type ServerEventPayload, type ServerToClientEvents } from '#common/contract/socket-events.js';

type CallEvent = Extract<ServerEventName, `call:${string}`>;
type Received = { [E in CallEvent]: { event: E; payload: ServerEventPayload<E> } }[CallEvent];

/** A stand-in session description: the server passes descriptions along without reading them. */
export const fakeSdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/**
 * One device's signalling over real socket.io on loopback: it records every call event and message it
 * receives (validated as every client validates them) and sends call events as the web client does.
 */
export class CallClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly received: Received[] = [];
  readonly messages: ChatMessage[] = [];
  readonly invalid: string[] = [];

  constructor(url: string, token: string) {
    this.socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const onInvalid = (event: string, problem: string) => this.invalid.push(`${event}: ${problem}`);
    this.socket.on('call:incoming', validatedListener('call:incoming', (payload) => this.received.push({ event: 'call:incoming', payload }), onInvalid));
    this.socket.on('call:answered', validatedListener('call:answered', (payload) => this.received.push({ event: 'call:answered', payload }), onInvalid));
    this.socket.on('call:ice', validatedListener('call:ice', (payload) => this.received.push({ event: 'call:ice', payload }), onInvalid));
    this.socket.on('call:ended', validatedListener('call:ended', (payload) => this.received.push({ event: 'call:ended', payload }), onInvalid));
    this.socket.on('call:renegotiate', validatedListener('call:renegotiate', (payload) => this.received.push({ event: 'call:renegotiate', payload }), onInvalid));
    this.socket.on('message', validatedListener('message', (message) => this.messages.push(message), onInvalid));
  }

  connected(): Promise<this> {
    if (this.socket.connected) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve(this));
      this.socket.once('connect_error', reject);
    });
  }

  async invite(userId: string, media: CallMedia = 'audio', callId: string = randomUUID()): Promise<{ callId: string; ack: Ack }> {
    const ack = parseAck(await this.socket.timeout(10_000).emitWithAck('call:invite', { callId, to: { userId }, media, sdp: fakeSdp }));
    return { callId, ack };
  }

  /** Calls `userId`, whose device `callee` answers, and waits until this device hears so: the running call's id. */
  async callAnsweredBy(callee: CallClient, userId: string, media: CallMedia = 'audio'): Promise<string> {
    const { callId } = await this.invite(userId, media);
    await callee.next('call:incoming', callId);
    const answer = await callee.answer(callId);
    if (!('ok' in answer)) throw new Error(`the call was not answered: ${JSON.stringify(answer)}`);
    await this.next('call:answered', callId);
    return callId;
  }

  async answer(callId: string): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('call:answer', { callId, sdp: fakeSdp }));
  }

  async ice(callId: string, candidate = 'candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host'): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('call:ice', { callId, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } }));
  }

  async hangup(callId: string, reason?: 'hangup' | 'declined' | 'busy'): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('call:hangup', { callId, ...(reason ? { reason } : {}) }));
  }

  async renegotiate(callId: string, type: 'offer' | 'answer' = 'offer'): Promise<Ack> {
    return parseAck(await this.socket.timeout(10_000).emitWithAck('call:renegotiate', { callId, description: { type, sdp: fakeSdp } }));
  }

  /** The first event of this kind for the call (already received or still to come). */
  async next<E extends CallEvent>(event: E, callId: string, timeoutMs = 8000): Promise<ServerEventPayload<E>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((entry) => entry.event === event && entry.payload.callId === callId);
      // The find above matched on the event name, so the payload is that event's.
      if (found) return found.payload as ServerEventPayload<E>;
      if (Date.now() > deadline) throw new Error(`no ${event} for ${callId} within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((entry) => entry.event))}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  eventsFor(callId: string): string[] {
    return this.received.filter((entry) => entry.payload.callId === callId).map((entry) => entry.event);
  }

  /** The call log message of a call (its clientId is the call id), once it arrived. */
  async callLog(callId: string, timeoutMs = 8000): Promise<ChatMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((message) => message.clientId === callId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no call log for ${callId} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}
