import { SWITCHBOARD_ENGINE_VERSION } from '#common/plugin-manifest/index.js';
import { mergeCatalogue, type MergedPlugin } from './catalogue-merge.js';
import { type CatalogueProblem, type CatalogueSyncResult, defaultCatalogueCacheDir, readCachedCatalogue, syncCatalogue } from './catalogue-sync.js';
import type { LoadedPlugin } from './load.js';

export interface CatalogueUpdate {
  /** Whether this update came from the server (true) or from the cache alone. */
  online: boolean;
  plugins: MergedPlugin[];
  problems: CatalogueProblem[];
}

export interface CatalogueRefresherOptions {
  serverUrl: string;
  localPlugins: readonly LoadedPlugin[];
  cacheDir?: string;
  engineVersion?: string;
  /** How often `start()` syncs again; hourly by default. */
  intervalMs?: number;
  timeoutMs?: number;
  onUpdate?: (update: CatalogueUpdate) => void;
  /** A sync that failed in a way the sync itself did not foresee, or an `onUpdate` that threw. */
  onError?: (error: Error) => void;
}

export const DEFAULT_CATALOGUE_REFRESH_MS = 60 * 60_000;

/**
 * Keeps the merged plugin list current for a long-running process (the agent): the cache at once, so
 * start-up never waits for the network, then the server now and at every interval. Syncs never overlap.
 */
export class CatalogueRefresher {
  private latest: MergedPlugin[];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<CatalogueUpdate> | undefined;
  private readonly stopping = new AbortController();
  private readonly cacheDir: string;
  private readonly engineVersion: string;

  constructor(private readonly options: CatalogueRefresherOptions) {
    this.cacheDir = options.cacheDir ?? defaultCatalogueCacheDir();
    this.engineVersion = options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION;
    this.latest = options.localPlugins.map((plugin) => ({ ...plugin, origin: plugin.builtin ? 'builtin' : 'extra' }));
  }

  /** The merged plugins as of the last update. */
  get plugins(): MergedPlugin[] {
    return this.latest;
  }

  /** Merges what the cache holds, without touching the network. */
  async loadCached(): Promise<CatalogueUpdate> {
    return this.apply(await readCachedCatalogue({ cacheDir: this.cacheDir, engineVersion: this.engineVersion }));
  }

  /** Syncs with the server now (or joins the sync already running). */
  refresh(): Promise<CatalogueUpdate> {
    this.inFlight ??= syncCatalogue({
      serverUrl: this.options.serverUrl,
      cacheDir: this.cacheDir,
      engineVersion: this.engineVersion,
      signal: this.stopping.signal,
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
    })
      .then((result) => this.apply(result))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Syncs now and then every interval until `stop()`. */
  start(): void {
    if (this.timer !== undefined) return;
    const refreshInBackground = () => {
      this.refresh().catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))));
    };
    refreshInBackground();
    this.timer = setInterval(refreshInBackground, this.options.intervalMs ?? DEFAULT_CATALOGUE_REFRESH_MS);
    // The agent's socket and watcher keep the process alive; this timer alone must not.
    this.timer.unref();
  }

  /** Stops the interval, aborts a sync in progress and waits for it, so nothing writes the cache afterwards. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.inFlight?.catch(() => undefined);
  }

  private apply(result: CatalogueSyncResult): CatalogueUpdate {
    const merged = mergeCatalogue(this.options.localPlugins, result.plugins, { cacheDir: this.cacheDir, engineVersion: this.engineVersion });
    this.latest = merged.plugins;
    const update: CatalogueUpdate = { online: result.online, plugins: merged.plugins, problems: [...result.problems, ...merged.problems] };
    this.options.onUpdate?.(update);
    return update;
  }
}
