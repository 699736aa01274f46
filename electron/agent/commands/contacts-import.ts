// `switchboard contacts import FILE [--replace] [--dry-run] [--json] [--region CC] [--encoding LABEL]`: parses
// the address book on this machine and merges it into the uploaded book (or replaces it, when asked).
// Names never leave the machine; the upload (numbers and refs only) needs a signed-in session.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import readline from 'node:readline/promises';
import { AddressBookError, assignKeyedRefs, newRefKey, parseAddressBookAsync, withoutOwnNumber, type AddressBookImport, type RejectReason } from '#common/address-book/index.js';
import { regionOfE164 } from '#common/phone/phone.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { configDir } from '#core/device.js';
import { refKeyAccount, VaultError, type Vault } from '#core/vault/index.js';
import { openCliBookStore } from './cli-book-store.js';
import { BookTooLargeError, syncImport, type BookSyncResult, type ImportMode } from './cli-book-sync.js';
import { booleanOption, stringOption, UsageError, type Command } from './command.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';
import { plural } from './plural.js';
import { fileProblem, humanError } from './human-error.js';

export interface ContactsImportArgs {
  file: string;
  dryRun: boolean;
  json: boolean;
  /** ISO region for national numbers; by default the signed-in user's own region. */
  region?: string;
  /** A WHATWG encoding label that overrides detection, e.g. big5. */
  encoding?: string;
  /** The signed-in user's number: never imported as one of their contacts. */
  ownPhone?: string;
  /** Merges (or replaces) numbers and refs (never names) into the server's book; absent when nobody is signed in. */
  upload?: (entries: { ref: string; phones: string[] }[]) => Promise<BookSyncResult>;
  /** This device's ref key for the server (keychain): refs stay stable across imports and reveal nothing. */
  refKey?: string;
}

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const contactsImportExitCodes = {
  ok: 0,
  /** The file cannot be read or is not an address book we can parse. */
  failed: 1,
  /** Parsed, but uploading needs `switchboard login` first. */
  notSignedIn: 3,
} as const;

/** Why a line of the file was skipped, as the app says it. */
const rejectedWords: Record<RejectReason, string> = {
  region_required: 'a national number, and the region is unknown',
  invalid_number: 'not a number that exists',
  not_a_number: 'not a phone number',
  imprecise_number: 'rounded by a spreadsheet (scientific notation)',
  no_number: 'no phone number',
  own_number: 'your own number',
};

function summary(file: string, result: AddressBookImport, region: string | undefined): string {
  const numbers = result.entries.reduce((count, entry) => count + entry.phones.length, 0);
  const lines = [
    `${basename(file)}: ${result.format}, ${result.encoding}: ${plural(result.entries.length, 'contact')} with ${plural(numbers, 'number')}; ${result.rejected.length.toLocaleString('en')} skipped`,
  ];
  for (const rejected of result.rejected) {
    const where = rejected.line === undefined ? `record ${rejected.record}` : `line ${rejected.line}`;
    lines.push(`  ${where}: ${rejectedWords[rejected.reason]}: ${rejected.raw}${rejected.name === undefined ? '' : ` (${rejected.name})`}`);
  }
  for (const warning of result.warnings) lines.push(`  warning: ${warning.message}`);
  if (region === undefined && result.rejected.some((rejected) => rejected.reason === 'region_required')) {
    lines.push('  hint: numbers without a country code need --region (e.g. --region CN)');
  }
  if (result.encodingChoices !== undefined) lines.push(`  hint: if names look wrong, try --encoding with one of: ${result.encodingChoices.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export async function runContactsImport(args: ContactsImportArgs, io: CommandIo): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(args.file));
  } catch (error) {
    io.stderr(`Cannot read ${args.file}: ${fileProblem(error) ?? 'the file could not be opened. Check the name and try again.'}\n`);
    return contactsImportExitCodes.failed;
  }

  let result: AddressBookImport;
  try {
    result = withoutOwnNumber(await parseAddressBookAsync(bytes, {
      fileName: basename(args.file),
      ...(args.region === undefined ? {} : { defaultRegion: args.region }),
      ...(args.encoding === undefined ? {} : { encoding: args.encoding }),
    }), args.ownPhone);
  } catch (error) {
    if (!(error instanceof AddressBookError)) throw error;
    if (args.json) io.stdout(`${JSON.stringify({ error: { code: error.code, message: humanError(error) } }, null, 2)}\n`);
    io.stderr(`${args.file}: ${humanError(error)}\n`);
    return contactsImportExitCodes.failed;
  }

  if (args.json) {
    const { format, encoding, encodingChoices, entries, rejected, warnings } = result;
    io.stdout(`${JSON.stringify({ format, encoding, encodingChoices, entries, rejected, warnings }, null, 2)}\n`);
  } else io.stdout(summary(args.file, result, args.region));

  if (args.dryRun) return contactsImportExitCodes.ok;
  if (!args.upload) {
    io.stderr('To upload, sign in first with `switchboard login`; with --dry-run the file is only read.\n');
    return contactsImportExitCodes.notSignedIn;
  }
  if (args.refKey !== undefined) await assignKeyedRefs(result.entries, args.refKey);
  const numbersOnly = result.entries.map((entry) => ({ ref: entry.ref, phones: entry.phones.map((phone) => phone.e164) }));
  try {
    const uploaded = await args.upload(numbersOnly);
    const changed = [`${plural(uploaded.added, 'entry', 'entries')} added`, `${plural(uploaded.updated, 'entry', 'entries')} updated`];
    if (uploaded.removed > 0) changed.push(`${plural(uploaded.removed, 'entry', 'entries')} removed`);
    io.stderr(
      `Uploaded numbers only: ${changed.join(', ')}; ${plural(uploaded.matches, 'person', 'people')} of this file ${uploaded.matches === 1 ? 'uses' : 'use'} Switchboard (address book version ${uploaded.version}).\n` +
        'Run `switchboard contacts undo` to put the book back as it was.\n',
    );
    return contactsImportExitCodes.ok;
  } catch (error) {
    if (error instanceof BookTooLargeError) {
      io.stderr(`Refused: ${error.message}\n`);
      return contactsImportExitCodes.failed;
    }
    if (!(error instanceof ApiFailure)) throw error;
    io.stderr(`Upload failed, nothing was changed: ${humanError(error)}\n`);
    return contactsImportExitCodes.failed;
  }
}

/** The ref key for this server from the keychain, made on first use. */
async function refKeyFor(vault: Vault, serverUrl: string): Promise<string> {
  const account = refKeyAccount(serverUrl);
  const stored = await vault.getSecret(account);
  if (stored) return stored.key;
  const key = newRefKey();
  await vault.setSecret(account, { key });
  return key;
}

/** The signed-in session for the server, if any; a keychain that cannot be reached counts as not signed in. */
async function signedInApi(serverUrl: string, io: CommandIo, quiet: boolean): Promise<{ api: SwitchboardClient; refKey: string } | undefined> {
  try {
    const store = openSessionStore();
    const session = await store.get(serverUrl);
    return session
      ? { api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 60_000 }), refKey: await refKeyFor(store.vault, serverUrl) }
      : undefined;
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    if (!quiet) io.stderr(`${humanError(error)}\n`);
    return undefined;
  }
}

/** A replace drops entries other devices added: asked on a terminal, or confirmed with --yes in a script. */
async function confirmReplace(io: { stderr(text: string): void }, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) return false;
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = (await prompt.question('Replace your whole address book with this file? Contacts not in it are removed. [y/N] ')).trim();
  prompt.close();
  return /^y(es)?$/i.test(answer);
}

/** The registry entry: add `contactsImport` to the list in commands/index.ts. */
export const contactsImport: Command = {
  name: ['contacts', 'import'],
  args: 'FILE [--replace [--yes]] [--dry-run] [--json] [--region CC] [--encoding LABEL]',
  summary: 'Merge an address book (vCard, CSV, TXT, XLSX) into yours, parsed on this machine: numbers are uploaded, never names.',
  options: {
    replace: { type: 'boolean', description: 'Replace the whole address book with this file instead of merging (asks first).' },
    yes: { type: 'boolean', description: 'With --replace: do not ask, for scripts.' },
    'dry-run': { type: 'boolean', description: 'Parse and print only, exactly as the import would; upload nothing.' },
    json: { type: 'boolean', description: 'Print { format, encoding, encodingChoices, entries, rejected, warnings } as JSON.' },
    region: { type: 'string', description: 'Region of numbers written without a country code, e.g. CN (default: your own number\'s region).' },
    encoding: { type: 'string', description: 'Text encoding of the file when the guess is wrong, e.g. big5, shift_jis, euc-kr, gb18030, windows-1252.' },
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL, else the server of your last login).' },
  },
  async run({ positionals, options }, io) {
    const [file, ...extra] = positionals;
    if (file === undefined) throw new UsageError('missing FILE, the address book to import');
    if (extra.length > 0) throw new UsageError(`one file at a time (also got ${extra.join(' ')})`);
    const dryRun = booleanOption(options, 'dry-run');
    const mode: ImportMode = booleanOption(options, 'replace') ? 'replace' : 'merge';
    if (booleanOption(options, 'yes') && mode !== 'replace') throw new UsageError('--yes only confirms --replace');
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    let region = stringOption(options, 'region');
    // A dry run reads the file exactly as the import would, so it asks the server for your region too.
    const signedIn = await signedInApi(serverUrl, io, dryRun);
    const api = signedIn?.api;
    let ownPhone: string | undefined;
    if (api) {
      try {
        ownPhone = (await api.call(routes.me, {})).phone;
        region ??= regionOfE164(ownPhone);
      } catch (error) {
        // A dry run works offline, as long as the file has country codes or --region is given.
        if (!dryRun || !(error instanceof ApiFailure)) throw error;
      }
    }
    if (!dryRun && api && mode === 'replace' && !(await confirmReplace(io, booleanOption(options, 'yes')))) {
      io.stderr('Not replaced: nothing was changed. Without --replace the file is merged into your book.\n');
      return contactsImportExitCodes.failed;
    }
    const store = openCliBookStore(configDir(io.env));
    const upload = api && ((entries: { ref: string; phones: string[] }[]) => syncImport(api, store, serverUrl, entries, mode));
    const encoding = stringOption(options, 'encoding');
    return runContactsImport(
      {
        file: resolve(io.cwd, file),
        dryRun,
        json: booleanOption(options, 'json'),
        ...(region === undefined ? {} : { region }),
        ...(encoding === undefined ? {} : { encoding }),
        ...(ownPhone === undefined ? {} : { ownPhone }),
        ...(upload ? { upload } : {}),
        ...(signedIn ? { refKey: signedIn.refKey } : {}),
      },
      io,
    );
  },
};
