import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PresenceAgent, matcherSetsFor } from '../../core/agent/presence-agent.js';
import { CatalogueRefresher, type CatalogueUpdate } from '../../core/plugins/catalogue-refresher.js';
import { defaultCatalogueCacheDir } from '../../core/plugins/catalogue-sync.js';
import { extraPluginDirs, loadPlugins } from '../../core/plugins/load.js';
import { VaultError } from '../../core/vault/index.js';
import { AppWatcher, currentPlatform } from '../../core/watcher/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, stringOption, stringOptions } from './command.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';

const builtinPluginsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../plugins');

/** `switchboard agent [--server URL] [--plugins DIR]`: the headless desktop core, reporting running apps until stopped. */
export const agent: Command = {
  name: ['agent'],
  args: '[--server URL] [--plugins DIR]',
  summary: 'Watch which social apps run here and report them to the server until stopped.',
  options: {
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
    plugins: { type: 'string', multiple: true, description: 'Another folder of plugins (also SWITCHBOARD_PLUGINS_DIR).' },
  },
  async run({ options }, io) {
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    let token: string;
    try {
      const session = await openSessionStore().get(serverUrl);
      if (!session) {
        io.stderr(`Not signed in to ${serverUrl}: run \`switchboard login --server ${serverUrl} --phone <number>\` first.\n`);
        return EXIT_FAILURE;
      }
      token = session.token;
    } catch (error) {
      if (error instanceof VaultError) {
        io.stderr(`switchboard agent: ${error.code}: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }

    const extraDirs = extraPluginDirs(stringOptions(options, 'plugins').map((dir) => path.resolve(io.cwd, dir)), io.env);
    const { plugins, problems } = await loadPlugins({ builtinDir: builtinPluginsDir, extraDirs });
    for (const problem of problems) io.stderr(`plugin skipped: ${problem.dir}: ${problem.message}\n`);
    const platform = currentPlatform();
    const watcher = new AppWatcher({ platform, matchers: matcherSetsFor(plugins.map((plugin) => plugin.manifest), platform) });
    // The server's catalogue brings new process matchers without an app update: the cache now, the server
    // right after start and every hour. A problem is printed once, not at every hourly sync.
    let appliedMatchers = '';
    const printedProblems = new Set<string>();
    const applyCatalogue = (update: CatalogueUpdate) => {
      for (const problem of update.problems) {
        const key = `${problem.code}:${problem.pluginId ?? ''}`;
        if (printedProblems.has(key)) continue;
        printedProblems.add(key);
        io.stderr(`catalogue: ${problem.code}: ${problem.message}\n`);
      }
      const sets = matcherSetsFor(update.plugins.map((plugin) => plugin.manifest), platform);
      const fingerprint = JSON.stringify(sets);
      if (fingerprint !== appliedMatchers) {
        appliedMatchers = fingerprint;
        watcher.setMatchers(sets);
      }
      if (update.online) {
        const changed = update.plugins.filter((plugin) => plugin.origin === 'catalogue' || plugin.origin === 'builtin-updated');
        const detail = changed.map((plugin) => `${plugin.id} ${plugin.manifest.version}`).join(', ');
        io.stderr(`catalogue synced: ${update.plugins.length} networks${detail === '' ? '' : ` (from the server: ${detail})`}\n`);
      }
    };
    const catalogue = new CatalogueRefresher({
      serverUrl,
      localPlugins: plugins,
      cacheDir: defaultCatalogueCacheDir(io.env),
      onUpdate: applyCatalogue,
      onError: (error) => io.stderr(`catalogue: sync_failed: ${error.message}\n`),
    });
    await catalogue.loadCached();
    const presenceAgent = new PresenceAgent({ serverUrl, token, watcher });
    io.stderr(`Watching ${catalogue.plugins.length} networks on ${platform}; reporting to ${serverUrl}. Ctrl-C stops.\n`);

    return new Promise<number>((resolve) => {
      const finish = (code: number) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        void Promise.all([catalogue.stop(), presenceAgent.stop()]).then(() => resolve(code));
      };
      const onSignal = () => finish(EXIT_OK);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      presenceAgent.onEvent((event) => {
        if (event.type === 'reported') io.stdout(`${new Date().toISOString()} active: ${event.apps.join(', ') || '(none)'}\n`);
        else if (event.type === 'session_ended') {
          io.stderr(`The session ended (${event.reason}); sign in again with \`switchboard login\`.\n`);
          finish(EXIT_FAILURE);
        } else if (event.type === 'report_failed') io.stderr(`report failed: ${event.code}: ${event.message}\n`);
        else if (event.type === 'error') io.stderr(`${event.message}\n`);
        else if (event.type === 'disconnected') io.stderr(`disconnected (${event.reason}); reconnecting\n`);
      });
      presenceAgent.start();
      catalogue.start();
    });
  },
};
