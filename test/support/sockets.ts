import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, PresenceEvent, ServerToClientEvents } from '#common/contract/socket-events.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client on loopback that records every presence it receives. */
export class PresenceClient {
  readonly socket: ClientSocket;
  readonly received: PresenceEvent[] = [];
  private waiters: { predicate: (event: PresenceEvent) => boolean; resolve: (event: PresenceEvent) => void }[] = [];

  constructor(url: string, token: string) {
    this.socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('presence', (event) => {
      this.received.push(event);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(event)) return true;
        waiter.resolve(event);
        return false;
      });
    });
  }

  connected(): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** The first presence (already received or still to come) that matches. */
  waitFor(predicate: (event: PresenceEvent) => boolean, timeoutMs = 5000): Promise<PresenceEvent> {
    const seen = this.received.find(predicate);
    if (seen) return Promise.resolve(seen);
    return this.next(predicate, timeoutMs);
  }

  /** The next presence from now on that matches. */
  next(predicate: (event: PresenceEvent) => boolean, timeoutMs = 5000): Promise<PresenceEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching presence within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  set(payload: Parameters<ClientToServerEvents['presence:set']>[0]): Promise<Ack> {
    return this.socket.timeout(5000).emitWithAck('presence:set', payload);
  }

  close(): void {
    this.socket.disconnect();
  }
}

export const appsOf = (event: PresenceEvent) => event.apps.map((app) => app.plugin).sort();

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
