// `switchboard contacts sync-accounts [--book FILE] [--json]`: imports the contacts of every network
// account bound on this machine through the plugin host (the desktop core's own path), keeps them on
// this machine and prints the people list they make with the address book.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { AddressBookError, parseAddressBookAsync } from '#common/address-book/index.js';
import { mergePeople } from '#common/address-book/merge-people.js';
import type { AddressBookEntry } from '#common/address-book/types.js';
import { VaultError } from '#core/vault/index.js';
import { headlessCore } from './headless-core.js';
import { booleanOption, EXIT_FAILURE, EXIT_OK, stringOption, stringOptions, type Command } from './command.js';
import { defaultServerUrl } from './session-store.js';
import { fileProblem, humanError, wordsForPluginFailure } from './human-error.js';

async function readBook(file: string | undefined): Promise<AddressBookEntry[] | string> {
  if (file === undefined) return [];
  try {
    return (await parseAddressBookAsync(new Uint8Array(await readFile(file)), { fileName: basename(file) })).entries;
  } catch (error) {
    if (error instanceof AddressBookError) return `${file}: ${humanError(error)}`;
    return `Cannot read ${file}: ${fileProblem(error) ?? 'the file could not be opened. Check the name and try again.'}`;
  }
}

export const contactsSyncAccounts: Command = {
  name: ['contacts', 'sync-accounts'],
  args: '[--book FILE] [--json] [--server URL] [--plugins DIR]',
  summary: 'Import the contacts of your bound network accounts through their plugins and merge them into your people list.',
  options: {
    book: { type: 'string', description: 'An address book (vCard, CSV, TXT, XLSX) whose people the network contacts join.' },
    json: { type: 'boolean', description: 'Print { people, imported, failures } as JSON.' },
    server: { type: 'string', description: 'The Switchboard server that refreshes expired tokens (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
    plugins: { type: 'string', multiple: true, description: 'Another folder of plugins (also SWITCHBOARD_PLUGINS_DIR).' },
  },
  async run({ options }, io) {
    const bookFile = stringOption(options, 'book');
    const book = await readBook(bookFile === undefined ? undefined : resolve(io.cwd, bookFile));
    if (typeof book === 'string') {
      io.stderr(`${book}\n`);
      return EXIT_FAILURE;
    }
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    const core = await headlessCore({ serverUrl, pluginDirs: stringOptions(options, 'plugins') }, io);
    try {
      const accounts = await core.networkContacts.accounts();
      if (accounts.length === 0) io.stderr('No bound account of a network that imports contacts; bind one in the desktop app\'s Accounts screen.\n');
      const sync = await core.networkContacts.sync();
      const people = mergePeople(book, sync.contacts);
      if (booleanOption(options, 'json')) io.stdout(`${JSON.stringify({ people, imported: sync.imported, failures: sync.failures }, null, 2)}\n`);
      else {
        for (const account of sync.imported) {
          const dropped = account.droppedPhones === 0 ? '' : ` (${account.droppedPhones} invalid numbers dropped)`;
          io.stdout(`${account.pluginId} ${account.accountId}: ${account.contacts} contacts${dropped}\n`);
        }
        const joined = people.filter((person) => person.addressBookRef !== undefined && person.networks.length > 0).length;
        io.stdout(`${people.length} people: ${joined} from the address book joined by network contacts, ${people.filter((person) => person.addressBookRef === undefined).length} from networks only\n`);
      }
      for (const failure of sync.failures) io.stderr(`${failure.pluginId} ${failure.accountId}: ${wordsForPluginFailure(failure)}\n`);
      return sync.failures.length === 0 ? EXIT_OK : EXIT_FAILURE;
    } catch (error) {
      if (error instanceof VaultError) {
        io.stderr(`${humanError(error)}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    } finally {
      await core.stop();
    }
  },
};
