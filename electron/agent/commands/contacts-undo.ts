// `switchboard contacts undo`: puts the address book back as it was before the last import from this machine.
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { configDir } from '#core/device.js';
import { VaultError } from '#core/vault/index.js';
import { openCliBookStore } from './cli-book-store.js';
import { NothingToUndoError, undoLastImport } from './cli-book-sync.js';
import { EXIT_FAILURE, EXIT_OK, stringOption, type Command } from './command.js';
import { plural } from './plural.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';
import { humanError } from './human-error.js';
import { notSignedIn } from './signed-in.js';

export const contactsUndo: Command = {
  name: ['contacts', 'undo'],
  args: '[--server URL]',
  summary: 'Undo the last `contacts import` from this machine (merge or replace).',
  options: {
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL, else the server of your last login).' },
  },
  async run({ options }, io) {
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    try {
      const session = await openSessionStore().get(serverUrl);
      if (!session) {
        io.stderr(notSignedIn(serverUrl));
        return EXIT_FAILURE;
      }
      const api = new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 60_000 });
      const undone = await undoLastImport(api, openCliBookStore(configDir(io.env)), serverUrl);
      const lost = undone.unrecoverable > 0 ? ` ${plural(undone.unrecoverable, 'entry', 'entries')} added on other devices could not be restored from here.` : '';
      io.stderr(`Undid the last ${undone.kind}: ${plural(undone.removed, 'entry', 'entries')} removed, ${plural(undone.restored, 'entry', 'entries')} restored (address book version ${undone.version}).${lost}\n`);
      return EXIT_OK;
    } catch (error) {
      if (error instanceof NothingToUndoError) {
        io.stderr(`Nothing to undo: there is no import from this machine to ${serverUrl} since the last undo.\n`);
        return EXIT_FAILURE;
      }
      if (error instanceof ApiFailure && error.code === 'version_conflict') {
        io.stderr('Not undone: the address book changed since that import (on another device?), and undoing it now would lose those changes.\n');
        return EXIT_FAILURE;
      }
      if (error instanceof ApiFailure || error instanceof VaultError) {
        io.stderr(`Not undone: ${humanError(error)}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
