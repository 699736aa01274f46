import { io as connect, type Socket } from 'socket.io-client';
import { parseAck, validatedListener, type ClientToServerEvents, type PresenceEvent, type ServerToClientEvents } from '../../../common/contract/socket-events.js';
import type { ImStatus } from './desktop-state.js';
import type { WatchedApps } from './host.js';

export type PresenceLinkEvent =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'presence'; event: PresenceEvent }
  | { type: 'report_failed'; code: string; message: string }
  | { type: 'session_ended'; reason: string };

/**
 * The desktop app's one realtime connection: it reports the running apps and the tray status as
 * this device, and receives contacts' presence for notifications. (The headless `switchboard agent`
 * uses PresenceAgent, which only reports.) Status and apps go together in every report, so a
 * reconnect restores both.
 */
export class PresenceLink {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Set<(event: PresenceLinkEvent) => void>();
  private stopWatching: (() => unknown) | undefined;
  private status: ImStatus;

  constructor(private readonly options: { serverUrl: string; token: string; watcher?: WatchedApps; status: ImStatus }) {
    this.status = options.status;
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
    const ignore = (event: string, problem: string) => console.warn(`presence link: ignored a malformed '${event}' event from the server: ${problem}`);
    this.socket.on('presence', validatedListener('presence', (event) => this.emit({ type: 'presence', event }), ignore));
    this.socket.on(
      'session:ended',
      validatedListener(
        'session:ended',
        ({ reason }) => {
          this.emit({ type: 'session_ended', reason });
          this.stop();
        },
        ignore,
      ),
    );
    this.socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized') {
        this.emit({ type: 'session_ended', reason: 'unauthorized' });
        this.stop();
      }
    });
  }

  onEvent(listener: (event: PresenceLinkEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopWatching = this.options.watcher?.onChange(() => void this.report());
    this.socket.connect();
  }

  setStatus(status: ImStatus): Promise<void> {
    this.status = status;
    return this.report();
  }

  stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.socket.disconnect();
  }

  private async report(): Promise<void> {
    if (!this.socket.connected) return;
    const apps = (this.options.watcher?.snapshot() ?? []).map((app) => app.plugin).sort();
    try {
      const answer = parseAck(await this.socket.timeout(10_000).emitWithAck('presence:set', { status: this.status, apps }));
      if ('error' in answer) this.emit({ type: 'report_failed', code: answer.error.code, message: answer.error.message });
    } catch (error) {
      this.emit({ type: 'report_failed', code: 'timeout', message: (error as Error).message });
    }
  }

  private emit(event: PresenceLinkEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
