// `switchboard contacts import FILE [--dry-run] [--json] [--region CC]`: parses the address book on this
// machine. Names never leave it; the upload (numbers and refs only) needs a signed-in session.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { AddressBookError, assignKeyedRefs, newRefKey, parseAddressBookAsync, type AddressBookImport } from '#common/address-book/index.js';
import { regionOfE164 } from '#common/phone/phone.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { refKeyAccount, VaultError, type Vault } from '#core/vault/index.js';
import { booleanOption, stringOption, UsageError, type Command } from './command.js';
import { defaultServerUrl, openSessionStore } from './session-store.js';

export interface ContactsImportArgs {
  file: string;
  dryRun: boolean;
  json: boolean;
  /** ISO region for national numbers; by default the signed-in user's own region. */
  region?: string;
  /** Sends numbers and refs (never names) to the server; absent when nobody is signed in. */
  upload?: (entries: { ref: string; phones: string[] }[]) => Promise<{ version: number; matches: number }>;
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

function summary(file: string, result: AddressBookImport, region: string | undefined): string {
  const numbers = result.entries.reduce((count, entry) => count + entry.phones.length, 0);
  const lines = [`${basename(file)}: ${result.format}, ${result.encoding}: ${result.entries.length} contacts with ${numbers} numbers, ${result.rejected.length} rejected`];
  for (const rejected of result.rejected) {
    const where = rejected.line === undefined ? `record ${rejected.record}` : `line ${rejected.line}`;
    lines.push(`  ${where}: ${rejected.reason}: ${rejected.raw}${rejected.name === undefined ? '' : ` (${rejected.name})`}`);
  }
  for (const warning of result.warnings) lines.push(`  warning: ${warning.code}: ${warning.message}`);
  if (region === undefined && result.rejected.some((rejected) => rejected.reason === 'region_required')) {
    lines.push('  hint: numbers without a country code need --region (e.g. --region CN)');
  }
  return `${lines.join('\n')}\n`;
}

export async function runContactsImport(args: ContactsImportArgs, io: CommandIo): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(args.file));
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    io.stderr(`cannot read ${args.file}: ${reason}\n`);
    return contactsImportExitCodes.failed;
  }

  let result: AddressBookImport;
  try {
    result = await parseAddressBookAsync(bytes, { fileName: basename(args.file), ...(args.region === undefined ? {} : { defaultRegion: args.region }) });
  } catch (error) {
    if (!(error instanceof AddressBookError)) throw error;
    if (args.json) io.stdout(`${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`);
    io.stderr(`${args.file}: ${error.code}: ${error.message}\n`);
    return contactsImportExitCodes.failed;
  }

  if (args.json) {
    const { format, encoding, entries, rejected, warnings } = result;
    io.stdout(`${JSON.stringify({ format, encoding, entries, rejected, warnings }, null, 2)}\n`);
  } else io.stdout(summary(args.file, result, args.region));

  if (args.dryRun) return contactsImportExitCodes.ok;
  if (!args.upload) {
    io.stderr('upload needs a signed-in session: run `switchboard login` first\n');
    return contactsImportExitCodes.notSignedIn;
  }
  if (args.refKey !== undefined) await assignKeyedRefs(result.entries, args.refKey);
  const numbersOnly = result.entries.map((entry) => ({ ref: entry.ref, phones: entry.phones.map((phone) => phone.e164) }));
  try {
    const uploaded = await args.upload(numbersOnly);
    io.stderr(`uploaded ${numbersOnly.length} entries (numbers only): ${uploaded.matches} of them use Switchboard; address book version ${uploaded.version}\n`);
    return contactsImportExitCodes.ok;
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    io.stderr(`upload failed: ${error.code}: ${error.message}\n`);
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
async function signedInApi(serverUrl: string, io: CommandIo): Promise<{ api: SwitchboardClient; refKey: string } | undefined> {
  try {
    const store = openSessionStore();
    const session = await store.get(serverUrl);
    return session
      ? { api: new SwitchboardClient({ baseUrl: serverUrl, token: () => session.token, timeoutMs: 60_000 }), refKey: await refKeyFor(store.vault, serverUrl) }
      : undefined;
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    io.stderr(`${error.code}: ${error.message}\n`);
    return undefined;
  }
}

/** The registry entry: add `contactsImport` to the list in commands/index.ts. */
export const contactsImport: Command = {
  name: ['contacts', 'import'],
  args: 'FILE [--dry-run] [--json] [--region CC]',
  summary: 'Parse an address book on this machine (vCard, CSV, TXT, XLSX) and upload its numbers, never names.',
  options: {
    'dry-run': { type: 'boolean', description: 'Parse and print only; upload nothing.' },
    json: { type: 'boolean', description: 'Print { format, encoding, entries, rejected, warnings } as JSON.' },
    region: { type: 'string', description: 'Region of numbers written without a country code, e.g. CN (default: your own number\'s region).' },
    server: { type: 'string', description: 'The Switchboard server to upload to (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
  },
  async run({ positionals, options }, io) {
    const [file, ...extra] = positionals;
    if (file === undefined) throw new UsageError('missing FILE, the address book to import');
    if (extra.length > 0) throw new UsageError(`one file at a time (also got ${extra.join(' ')})`);
    const dryRun = booleanOption(options, 'dry-run');
    let region = stringOption(options, 'region');
    const signedIn = dryRun ? undefined : await signedInApi(stringOption(options, 'server') ?? defaultServerUrl(io.env), io);
    const api = signedIn?.api;
    if (api && region === undefined) region = regionOfE164((await api.call(routes.me, {})).phone);
    const upload = api && (async (entries: { ref: string; phones: string[] }[]) => {
      const answer = await api.call(routes.replaceAddressBook, { body: { entries } });
      return { version: answer.version, matches: answer.matches.length };
    });
    return runContactsImport(
      {
        file: resolve(io.cwd, file),
        dryRun,
        json: booleanOption(options, 'json'),
        ...(region === undefined ? {} : { region }),
        ...(upload ? { upload } : {}),
        ...(signedIn ? { refKey: signedIn.refKey } : {}),
      },
      io,
    );
  },
};
