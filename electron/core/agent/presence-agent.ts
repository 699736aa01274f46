import { io as connect, type Socket } from 'socket.io-client';
import { parseAck, validatedListener, type ClientToServerEvents, type ServerToClientEvents } from '../../../common/contract/socket-events.js';
import type { PluginManifest } from '../../../common/plugin-manifest/index.js';
import type { AppWatcher} from '../watcher/index.js';
import { type AppMatcherSet, type WatchedPlatform } from '../watcher/index.js';

export type AgentEvent =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'reported'; apps: string[] }
  | { type: 'report_failed'; code: string; message: string }
  | { type: 'session_ended'; reason: string }
  | { type: 'error'; message: string };

/** The process matchers of every plugin for this OS, as the watcher wants them. */
export function matcherSetsFor(manifests: PluginManifest[], platform: WatchedPlatform): AppMatcherSet[] {
  return manifests
    .map((manifest) => ({
      pluginId: manifest.id,
      matchers: manifest.processes[platform].map((matcher) => (matcher.args ? { name: matcher.name, args: matcher.args } : { name: matcher.name })),
    }))
    .filter((set) => set.matchers.length > 0);
}

/**
 * Watches which social apps run on this machine and reports them to the server as one of the user's
 * devices (M15): only changes while connected, the full set again after every (re)connect.
 */
export class PresenceAgent {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private stopped = false;

  constructor(
    private readonly options: { serverUrl: string; token: string; watcher: AppWatcher },
  ) {
    this.socket = connect(options.serverUrl, {
      auth: { token: options.token },
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    const { watcher } = this.options;
    this.socket.on('connect', () => {
      this.emit({ type: 'connected' });
      void this.report();
    });
    this.socket.on('disconnect', (reason) => this.emit({ type: 'disconnected', reason }));
    this.socket.on('connect_error', (error) => {
      const code = (error as Error & { data?: { code?: string } }).data?.code;
      if (code === 'unauthorized') {
        this.emit({ type: 'session_ended', reason: 'unauthorized' });
        void this.stop();
      } else this.emit({ type: 'error', message: error.message });
    });
    this.socket.on(
      'session:ended',
      validatedListener(
        'session:ended',
        ({ reason }) => {
          this.emit({ type: 'session_ended', reason });
          void this.stop();
        },
        (event, problem) => this.emit({ type: 'error', message: `ignored a malformed '${event}' event from the server: ${problem}` }),
      ),
    );
    watcher.onChange(() => {
      if (this.socket.connected) void this.report();
    });
    watcher.onError((error) => this.emit({ type: 'error', message: error.message }));
    watcher.start();
    this.socket.connect();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.socket.disconnect();
    await this.options.watcher.stop();
  }

  /** The whole current set: the server merges it with the user's other devices. */
  private async report(): Promise<void> {
    const apps = this.options.watcher.snapshot().map((app) => app.plugin).sort();
    try {
      const answer = parseAck(await this.socket.timeout(10_000).emitWithAck('presence:set', { apps }));
      if ('error' in answer) this.emit({ type: 'report_failed', code: answer.error.code, message: answer.error.message });
      else this.emit({ type: 'reported', apps });
    } catch (error) {
      this.emit({ type: 'report_failed', code: 'timeout', message: (error as Error).message });
    }
  }

  private emit(event: AgentEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
