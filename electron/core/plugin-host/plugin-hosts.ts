import type { PluginManifest } from '#common/plugin-manifest/index.js';
import type { Vault } from '../vault/index.js';
import { PluginHost, type PluginHostOptions } from './plugin-host.js';

/** A plugin whose code may run: a local folder (built in or from --plugins), never a catalogue download. */
export interface RunnablePlugin {
  id: string;
  dir: string;
  manifest: PluginManifest;
}

export interface PluginHostsOptions {
  /** The plugins on disk; read at every lookup. */
  plugins(): readonly RunnablePlugin[];
  vault: Vault;
  /** Limits and policies every host gets (timeouts, loopback instances for local stand-ins, log sink). */
  hostOptions?: Omit<PluginHostOptions, 'plugin' | 'vault'>;
}

/**
 * One sandboxed host per plugin with code, started on first use and kept for the life of the core, so
 * a plugin's crash counting and sandbox reuse span calls. The desktop core owns the only instance.
 */
export class PluginHosts {
  private readonly hosts = new Map<string, PluginHost>();
  private stopped = false;

  constructor(private readonly options: PluginHostsOptions) {}

  /** The plugins that ship code for this capability. */
  withCapability(capability: PluginManifest['capabilities'][number]): RunnablePlugin[] {
    return this.options.plugins().filter((plugin) => plugin.manifest.main !== undefined && plugin.manifest.capabilities.includes(capability));
  }

  /** The host of a plugin with code; undefined for a plugin without `main` or one not loaded. */
  hostFor(pluginId: string): PluginHost | undefined {
    if (this.stopped) return undefined;
    const known = this.hosts.get(pluginId);
    if (known !== undefined) return known;
    const plugin = this.options.plugins().find((candidate) => candidate.id === pluginId);
    if (plugin?.manifest.main === undefined) return undefined;
    const host = new PluginHost({ ...this.options.hostOptions, plugin, vault: this.options.vault });
    this.hosts.set(pluginId, host);
    return host;
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map((host) => host.stop({ final: true })));
  }
}
