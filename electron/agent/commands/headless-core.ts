import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DesktopCore } from '#core/app/index.js';
import { configDir } from '#core/device.js';
import { defaultCatalogueCacheDir } from '#core/plugins/catalogue-sync.js';
import { extraPluginDirs } from '#core/plugins/load.js';
import { createProcessSource, ProcessTreeSource, processTreeRootFromEnv } from '#core/watcher/index.js';
import type { CliIo } from './command.js';
import { openSessionStore } from './session-store.js';

export const builtinPluginsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../plugins');

/** The desktop core as the command line runs it: no shell, so no bridge, launcher or notifications. */
export async function headlessCore(options: { serverUrl: string; pluginDirs: readonly string[]; networkContactsEveryMs?: number }, io: CliIo): Promise<DesktopCore> {
  const { vault } = openSessionStore();
  const treeRoot = processTreeRootFromEnv(io.env);
  return DesktopCore.create({
    ...(treeRoot === undefined ? {} : { watcher: { source: new ProcessTreeSource(createProcessSource(), treeRoot) } }),
    serverUrl: options.serverUrl,
    builtinPluginsDir,
    extraPluginDirs: extraPluginDirs(options.pluginDirs.map((dir) => path.resolve(io.cwd, dir)), io.env),
    configDir: configDir(io.env),
    catalogueCacheDir: defaultCatalogueCacheDir(io.env),
    vault,
    log: { info: (line) => io.stderr(`${line}\n`), warn: (line) => io.stderr(`${line}\n`) },
    // A developer's own instance (or a local stand-in of a network) on this machine may speak plain http.
    pluginsOnLoopback: io.env.SWITCHBOARD_PLUGINS_LOOPBACK === '1',
    ...(options.networkContactsEveryMs === undefined ? {} : { networkContactsEveryMs: options.networkContactsEveryMs }),
  });
}
