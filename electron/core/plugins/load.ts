import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestIssue, PluginManifest } from '#common/plugin-manifest/index.js';
import { MANIFEST_FILE, validatePluginDir, type ValidateOptions } from './validate.js';

export interface LoadedPlugin {
  id: string;
  dir: string;
  manifest: PluginManifest;
  builtin: boolean;
}

export type PluginLoadProblemCode = 'invalid_plugin' | 'duplicate_id' | 'folder_unreadable';

export interface PluginLoadProblem {
  dir: string;
  code: PluginLoadProblemCode;
  message: string;
  issues: ManifestIssue[];
}

export interface PluginLoadResult {
  plugins: LoadedPlugin[];
  problems: PluginLoadProblem[];
}

export interface LoadPluginsOptions extends ValidateOptions {
  /** The repository's `plugins/` folder; its `sdk` folder is not a plugin. */
  builtinDir: string;
  /** Folders of plugins, or single plugin folders, from `--plugins` and SWITCHBOARD_PLUGINS_DIR. */
  extraDirs?: readonly string[];
}

/** Folders reserved inside the built-in plugins folder. */
const NOT_PLUGINS = new Set(['sdk', 'node_modules']);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A folder holding manifest.json is one plugin; any other folder is a collection of plugins. */
async function pluginFolders(root: string, builtin: boolean): Promise<string[]> {
  if (!builtin && (await exists(path.join(root, MANIFEST_FILE)))) return [root];
  const entries = await readdir(root, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !(builtin && NOT_PLUGINS.has(entry.name)))
    .map((entry) => entry.name)
    .sort()
    .map((name) => path.join(root, name));
}

/**
 * Loads the built-in plugins, then the extra folders in order. A broken plugin is reported and
 * skipped, never thrown, so one bad third-party folder cannot stop the app. The first plugin with an
 * id wins: a later folder cannot silently replace a built-in (or an earlier extra) with its own code.
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginLoadResult> {
  const plugins: LoadedPlugin[] = [];
  const problems: PluginLoadProblem[] = [];
  const sources = [{ root: options.builtinDir, builtin: true }, ...(options.extraDirs ?? []).map((root) => ({ root, builtin: false }))];
  for (const { root, builtin } of sources) {
    let folders: string[];
    try {
      folders = await pluginFolders(root, builtin);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push({ dir: root, code: 'folder_unreadable', message: `cannot list plugins in ${root}: ${reason}`, issues: [] });
      continue;
    }
    const validations = await Promise.all(folders.map((dir) => validatePluginDir(dir, options)));
    for (const validation of validations) {
      const { dir, manifest } = validation;
      if (!validation.ok || manifest === undefined) {
        const count = validation.issues.length;
        problems.push({ dir, code: 'invalid_plugin', message: `${dir} is not a valid plugin (${count} issue${count === 1 ? '' : 's'})`, issues: validation.issues });
        continue;
      }
      const earlier = plugins.find((plugin) => plugin.id === manifest.id);
      if (earlier !== undefined) {
        const origin = earlier.builtin ? 'built-in' : 'extra';
        problems.push({ dir, code: 'duplicate_id', message: `"${manifest.id}" is already loaded from ${earlier.dir} (${origin}); ${dir} is ignored`, issues: [] });
        continue;
      }
      plugins.push({ id: manifest.id, dir, manifest, builtin });
    }
  }
  return { plugins, problems };
}

/**
 * The extra plugin folders: every `--plugins DIR` flag, then SWITCHBOARD_PLUGINS_DIR split on the
 * platform's list separator (":" on Linux and macOS, ";" on Windows, where ":" follows a drive letter).
 */
export function extraPluginDirs(flags: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] {
  const fromEnv = (env.SWITCHBOARD_PLUGINS_DIR ?? '').split(path.delimiter);
  return [...flags, ...fromEnv].map((dir) => dir.trim()).filter((dir) => dir !== '').map((dir) => path.resolve(dir));
}
