import { isNewerVersion, parseManifest, SWITCHBOARD_ENGINE_VERSION } from '#common/plugin-manifest/index.js';
import { iconsDir } from './catalogue-cache.js';
import type { CatalogueManifest, CatalogueProblem } from './catalogue-sync.js';
import type { LoadedPlugin } from './load.js';

/** Where a plugin the app uses came from. */
export type PluginOrigin = 'builtin' | 'extra' | 'catalogue' | 'builtin-updated';

/**
 * A plugin as the app uses it after the merge. `dir` is where its icon is found (`dir/manifest.icon`):
 * the local folder, or for a network only the catalogue knows, that plugin's icon folder in the cache.
 */
export interface MergedPlugin extends LoadedPlugin {
  origin: PluginOrigin;
}

/**
 * Local plugins and the catalogue as one list. The catalogue adds networks the app does not have, and
 * updates a built-in's data (process matchers, launch templates) only when its version is higher; the
 * built-in's auth, allowed hosts, icon and code stay, and the result must still pass every manifest rule
 * (so a catalogue link cannot point at a host the built-in does not allow). A plugin from an extra folder
 * is the user's own choice and is never replaced; when the catalogue also has it, that is reported.
 */
export function mergeCatalogue(
  local: readonly LoadedPlugin[],
  catalogue: readonly CatalogueManifest[],
  options: { cacheDir: string; engineVersion?: string },
): { plugins: MergedPlugin[]; problems: CatalogueProblem[] } {
  const engineVersion = options.engineVersion ?? SWITCHBOARD_ENGINE_VERSION;
  const byId = new Map(catalogue.map((entry) => [entry.id, entry]));
  const problems: CatalogueProblem[] = [];

  const plugins = local.map((plugin): MergedPlugin => {
    const origin: PluginOrigin = plugin.builtin ? 'builtin' : 'extra';
    const offered = byId.get(plugin.id);
    if (offered === undefined) return { ...plugin, origin };
    if (!plugin.builtin) {
      problems.push({
        pluginId: plugin.id,
        code: 'local_plugin_kept',
        message: `"${plugin.id}" from ${plugin.dir} (version ${plugin.manifest.version}) is used; the catalogue's version ${offered.manifest.version} is ignored`,
      });
      return { ...plugin, origin };
    }
    if (!isNewerVersion(offered.manifest.version, plugin.manifest.version)) return { ...plugin, origin };
    const updated = parseManifest(
      { ...plugin.manifest, version: offered.manifest.version, processes: offered.manifest.processes, launch: offered.manifest.launch },
      { engineVersion },
    );
    if (!updated.ok) {
      problems.push({
        pluginId: plugin.id,
        code: 'update_rejected',
        message: `the catalogue's "${plugin.id}" ${offered.manifest.version} does not fit the built-in plugin (${updated.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}); keeping ${plugin.manifest.version}`,
        issues: updated.issues,
      });
      return { ...plugin, origin };
    }
    return { ...plugin, manifest: updated.manifest, origin: 'builtin-updated' };
  });

  const localIds = new Set(local.map((plugin) => plugin.id));
  const added = catalogue
    .filter((entry) => !localIds.has(entry.id))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((entry): MergedPlugin => ({ id: entry.id, dir: iconsDir(options.cacheDir, entry.id), manifest: entry.manifest, builtin: false, origin: 'catalogue' }));
  return { plugins: [...plugins, ...added], problems };
}
