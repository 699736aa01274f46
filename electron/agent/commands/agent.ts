import { insecureServerReason } from '#common/net/server-address.js';
import { VaultError } from '#core/vault/index.js';
import { type Command, EXIT_FAILURE, EXIT_OK, stringOption, stringOptions, UsageError } from './command.js';
import { headlessCore } from './headless-core.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';
import { humanError, wordsForCode, wordsForPluginFailure } from './human-error.js';
import { notSignedIn, sessionEndedWords } from './signed-in.js';

/** How often the agent imports the bound accounts' contacts again. */
const NETWORK_CONTACTS_EVERY_MS = 6 * 60 * 60_000;

/** `switchboard agent [--server URL] [--plugins DIR]`: the headless desktop core, reporting running apps until stopped. */
export const agent: Command = {
  name: ['agent'],
  args: '[--server URL] [--plugins DIR]',
  summary: 'Watch which social apps run here and report them to the server until stopped.',
  options: {
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
    plugins: { type: 'string', multiple: true, description: 'Another folder of plugins (also SWITCHBOARD_PLUGINS_DIR).' },
  },
  async run({ options }, plainIo) {
    // A long-running process's lines are read after the fact: each one says when it happened.
    const io = { ...plainIo, stderr: (text: string) => plainIo.stderr(timestamped(text)) };
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    const insecure = insecureServerReason(serverUrl);
    if (insecure !== undefined) throw new UsageError(`--server: ${insecure}`);
    try {
      if (!(await openSessionStore().get(serverUrl))) {
        io.stderr(notSignedIn(serverUrl));
        return EXIT_FAILURE;
      }
    } catch (error) {
      if (error instanceof VaultError) {
        io.stderr(`${humanError(error)}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }

    // The agent also keeps the contacts of bound accounts fresh for the people list (and the desktop app).
    const core = await headlessCore({ serverUrl, pluginDirs: stringOptions(options, 'plugins'), networkContactsEveryMs: NETWORK_CONTACTS_EVERY_MS }, io);
    io.stderr(`Watching ${core.plugins().length} networks on ${core.platform}; reporting to ${serverUrl}. Ctrl-C stops.\n`);

    return new Promise<number>((resolve) => {
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        void core.stop().then(() => resolve(code));
      };
      const onSignal = () => finish(EXIT_OK);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      core.onEvent((event) => {
        if (event.type === 'catalogue' && event.update.online) {
          const changed = event.update.plugins.filter((plugin) => plugin.origin === 'catalogue' || plugin.origin === 'builtin-updated');
          const detail = changed.map((plugin) => `${plugin.id} ${plugin.manifest.version}`).join(', ');
          io.stderr(`catalogue synced: ${event.update.plugins.length} networks${detail === '' ? '' : ` (from the server: ${detail})`}\n`);
        }
        if (event.type === 'network_contacts') {
          for (const account of event.sync.imported) io.stderr(`network contacts: ${account.pluginId} ${account.accountId}: ${account.contacts} contacts\n`);
          for (const failure of event.sync.failures) io.stderr(`network contacts: ${failure.pluginId} ${failure.accountId}: ${wordsForPluginFailure(failure)}\n`);
        }
        if (event.type !== 'link') return;
        const link = event.event;
        if (link.type === 'reported') io.stdout(timestamped(`active: ${link.apps.join(', ') || '(none)'}\n`));
        else if (link.type === 'session_ended') {
          io.stderr(sessionEndedWords(link.reason));
          finish(EXIT_FAILURE);
        } else if (link.type === 'report_failed') io.stderr(`Could not report the running apps: ${wordsForCode(link.code)}\n`);
        else if (link.type === 'connect_failed') io.stderr(`Cannot connect to ${serverUrl}: ${wordsForCode('network_unreachable')} Trying again.\n`);
        else if (link.type === 'disconnected') io.stderr('The connection to the server was lost; reconnecting...\n');
      });
      core.start().catch((error: unknown) => {
        io.stderr(`${error instanceof VaultError ? humanError(error) : wordsForCode('keychain_unavailable')}\n`);
        finish(EXIT_FAILURE);
      });
    });
  },
};

/** Prefixes every line of `text` with the current time in ISO 8601 (UTC). */
export function timestamped(text: string, now: Date = new Date()): string {
  const stamp = now.toISOString();
  return text.replace(/^(?=.)/gm, `${stamp} `);
}
