import { io as connect, type Socket } from 'socket.io-client';
import {
  parseAck,
  validatedListener,
  type ClientToServerEvents,
  type PresenceEvent,
  type PresenceSetPayload,
  type ServerToClientEvents,
} from '#common/contract/socket-events.js';

/** The watcher as the link uses it; `AppWatcher` fits. */
export interface ReportedApps {
  snapshot(): readonly { plugin: string }[];
  onChange(listener: () => void): () => unknown;
}

export type PresenceLinkEvent =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'presence'; event: PresenceEvent }
  | { type: 'reported'; apps: string[] }
  | { type: 'report_failed'; code: string; message: string }
  | { type: 'connect_failed'; message: string }
  | { type: 'session_ended'; reason: string };

/** What one report came to: the server took it, refused it (with its code), or there was no connection. */
export type ReportOutcome = { state: 'delivered' } | { state: 'offline' } | { state: 'refused'; code: string; message: string };

export interface PresenceLinkOptions {
  serverUrl: string;
  token: string;
  watcher?: ReportedApps;
  /** The status fields a report carries (electron/core/presence/my-status.ts decides which), read at every report. */
  statusFields(): Pick<PresenceSetPayload, 'status' | 'text'>;
}

/**
 * The desktop core's one realtime connection, for the desktop app and `switchboard agent` alike: it
 * reports the running apps and my status as this device, and receives contacts' presence (for
 * notifications). Status and apps go together in every report, and the whole set again after every
 * (re)connect, so a reconnect restores both; the server merges the user's devices.
 */
export class PresenceLink {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Set<(event: PresenceLinkEvent) => void>();
  private stopWatching: (() => unknown) | undefined;
  private stopped = false;

  constructor(private readonly options: PresenceLinkOptions) {
    this.socket = connect(options.serverUrl, {
      auth: { token: options.token },
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => {
      this.emit({ type: 'connected' });
      void this.report();
    });
    this.socket.on('disconnect', (reason) => this.emit({ type: 'disconnected', reason }));
    // What the server sends is checked against the contract: a malformed event is logged and ignored.
    const ignore = (event: string, problem: string) => console.warn(`presence link: ignored a malformed '${event}' event from the server: ${problem}`);
    this.socket.on('presence', validatedListener('presence', (event) => this.emit({ type: 'presence', event }), ignore));
    this.socket.on('session:ended', validatedListener('session:ended', ({ reason }) => this.end(reason), ignore));
    this.socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized' || code === 'device_blocked') this.end(code);
      else this.emit({ type: 'connect_failed', message: error.message });
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  onEvent(listener: (event: PresenceLinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopWatching = this.options.watcher?.onChange(() => void this.report());
    this.socket.connect();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.socket.disconnect();
  }

  /** The whole current set: apps from the watcher, status as the core holds it. */
  async report(): Promise<ReportOutcome> {
    if (this.stopped || !this.socket.connected) return { state: 'offline' };
    const apps = [...new Set((this.options.watcher?.snapshot() ?? []).map((app) => app.plugin))].sort();
    try {
      const answer = parseAck(await this.socket.timeout(10_000).emitWithAck('presence:set', { ...this.options.statusFields(), apps }));
      if ('error' in answer) {
        this.emit({ type: 'report_failed', code: answer.error.code, message: answer.error.message });
        return { state: 'refused', code: answer.error.code, message: answer.error.message };
      }
      this.emit({ type: 'reported', apps });
      return { state: 'delivered' };
    } catch (error) {
      this.emit({ type: 'report_failed', code: 'timeout', message: error instanceof Error ? error.message : String(error) });
      return { state: 'offline' };
    }
  }

  private end(reason: string): void {
    if (this.stopped) return;
    this.emit({ type: 'session_ended', reason });
    this.stop();
  }

  private emit(event: PresenceLinkEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
