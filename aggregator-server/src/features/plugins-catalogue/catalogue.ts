import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest, type PluginManifest } from '#common/plugin-manifest/index.js';
import type { Logger } from '../../platform/logger.js';

export type CataloguedPlugin = {
  id: string;
  manifest: PluginManifest;
  /** The manifest file exactly as on disk: what the integrity is computed over. */
  raw: Buffer;
  /** "sha256-<base64>", as in Subresource Integrity. */
  integrity: string;
  /** The icon file's exact bytes; absent when it is missing or leads outside the plugin folder. */
  icon?: { raw: Buffer; contentType: string; integrity: string };
};

const ICON_CONTENT_TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png' };

function sriSha256(bytes: Buffer): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
}

/** The icon a manifest names, read only when it resolves (symlinks followed) inside the plugin's folder. */
function readIcon(pluginDir: string, iconPath: string): CataloguedPlugin['icon'] {
  const contentType = ICON_CONTENT_TYPES[path.extname(iconPath).toLowerCase()];
  if (contentType === undefined) return undefined;
  try {
    const root = fs.realpathSync(pluginDir);
    const file = fs.realpathSync(path.join(pluginDir, iconPath));
    if (!file.startsWith(root + path.sep)) return undefined;
    const raw = fs.readFileSync(file);
    return { raw, contentType, integrity: sriSha256(raw) };
  } catch {
    return undefined;
  }
}

/** The repository's plugins/ folder; the server reads manifests only and never runs plugin code. */
export const builtinPluginsDir = fileURLToPath(new URL('../../../../plugins/', import.meta.url));

/**
 * The plugin manifests the server knows, read once at start. A server-side reader rather than the desktop
 * loader (electron/core/plugins), which also checks icons and code the server has no use for; the
 * manifest rules themselves are the shared, pure ones from common/plugin-manifest.
 */
export class PluginCatalogue {
  private constructor(private readonly plugins: ReadonlyMap<string, CataloguedPlugin>) {}

  static load(dir: string, log: Logger): PluginCatalogue {
    const plugins = new Map<string, CataloguedPlugin>();
    let folders: string[] = [];
    try {
      folders = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'sdk' && entry.name !== 'node_modules')
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      log.warn({ dir, reason: (error as Error).message }, 'plugin folder unreadable; the catalogue is empty');
    }
    for (const folder of folders) {
      const file = path.join(dir, folder, 'manifest.json');
      let raw: Buffer;
      let json: unknown;
      try {
        raw = fs.readFileSync(file);
        json = JSON.parse(raw.toString('utf8'));
      } catch (error) {
        log.warn({ plugin: folder, reason: (error as Error).message }, 'plugin manifest unreadable; skipped');
        continue;
      }
      const parsed = parseManifest(json);
      if (!parsed.ok || parsed.manifest.id !== folder) {
        const issues = parsed.ok ? [`id "${parsed.manifest.id}" is not the folder name`] : parsed.issues.map((issue) => issue.message);
        log.warn({ plugin: folder, issues }, 'plugin manifest invalid; skipped');
        continue;
      }
      const integrity = sriSha256(raw);
      const icon = readIcon(path.join(dir, folder), parsed.manifest.icon);
      if (icon === undefined) log.warn({ plugin: folder, icon: parsed.manifest.icon }, 'plugin icon unreadable; served without one');
      plugins.set(folder, { id: folder, manifest: parsed.manifest, raw, integrity, ...(icon === undefined ? {} : { icon }) });
    }
    return new PluginCatalogue(plugins);
  }

  list(): CataloguedPlugin[] {
    return [...this.plugins.values()];
  }

  get(id: string): CataloguedPlugin | undefined {
    return this.plugins.get(id);
  }
}
