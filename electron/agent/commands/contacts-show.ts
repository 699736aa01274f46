// `switchboard contacts show <name or number> [--book FILE] [--json]`: one contact's networks — where they
// are active now, what they published — and the link a click on each would open (the launcher's own
// template filling: the desktop's chat link, and what a browser would open).
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { io as connect } from 'socket.io-client';
import { AddressBookError, parseAddressBookAsync } from '#common/address-book/index.js';
import type { AddressBookEntry } from '#common/address-book/types.js';
import { ApiFailure } from '#common/contract/api-failure.js';
import type { ContactView } from '#common/contract/contacts.js';
import { routes } from '#common/contract/routes.js';
import { validatedListener, type PresenceEvent } from '#common/contract/socket-events.js';
import { planWebLaunch } from '#common/bridge/web-bridge.js';
import { renderLaunchLink } from '#common/plugin-manifest/launch.js';
import type { PluginManifest } from '#common/plugin-manifest/index.js';
import { parsePhone, regionOfE164 } from '#common/phone/phone.js';
import { extraPluginDirs, loadPlugins } from '#core/plugins/load.js';
import { booleanOption, EXIT_FAILURE, EXIT_OK, stringOption, stringOptions, UsageError, type CliIo, type Command } from './command.js';
import { builtinPluginsDir } from './headless-core.js';
import { defaultServerUrl } from './session-store.js';
import { fileProblem, humanError } from './human-error.js';
import { notSignedIn, signedInClient } from './signed-in.js';

export type ShownNetwork = {
  pluginId: string;
  name: string;
  /** ISO time the contact became active there, when active now. */
  activeSince?: string;
  /** What the contact published for it (empty for networks reached by number). */
  published?: Record<string, string>;
  /** The desktop's chat link (native scheme or https), when the contact's identity fills one. */
  chatLink?: string;
  /** What a click in a browser opens, and the handle it copies for networks without a chat link. */
  webLink?: string;
  copies?: { field: string; value: string };
  /** Why nothing reaches them: the fields they have not published. */
  missing?: string[];
};

/** How long to wait for the server's presence snapshot after connecting. */
const PRESENCE_WAIT_MS = 1500;

async function presenceOf(serverUrl: string, token: string, userId: string): Promise<PresenceEvent | undefined> {
  const socket = connect(serverUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    return await new Promise<PresenceEvent | undefined>((done) => {
      const timer = setTimeout(() => done(undefined), PRESENCE_WAIT_MS);
      socket.on('connect_error', () => {
        clearTimeout(timer);
        done(undefined);
      });
      socket.on(
        'presence',
        validatedListener('presence', (event) => {
          if (event.userId !== userId) return;
          clearTimeout(timer);
          done(event);
        }, () => undefined),
      );
    });
  } finally {
    socket.disconnect();
  }
}

async function readBook(file: string): Promise<AddressBookEntry[] | string> {
  try {
    return (await parseAddressBookAsync(new Uint8Array(await readFile(file)), { fileName: basename(file) })).entries;
  } catch (error) {
    if (error instanceof AddressBookError) return `${file}: ${humanError(error)}`;
    return `Cannot read ${file}: ${fileProblem(error) ?? 'the file could not be opened. Check the name and try again.'}`;
  }
}

/** The contacts a query names: by number (any format the phone library reads), else by name in the book. */
function findContacts(query: string, region: string | undefined, contacts: readonly ContactView[], book: readonly AddressBookEntry[]): { contact: ContactView; name?: string }[] {
  const nameByPhone = new Map(book.flatMap((entry) => entry.phones.map((phone) => [phone.e164, entry.name] as const)));
  const withName = (contact: ContactView) => ({ contact, ...(nameByPhone.has(contact.phone) ? { name: nameByPhone.get(contact.phone) } : {}) });
  const asNumber = /^[+\d][\d\s().-]{3,}$/.test(query.trim()) ? parsePhone(query.trim(), region) : undefined;
  if (asNumber?.ok) return contacts.filter((contact) => contact.phone === asNumber.e164).map(withName);
  const wanted = query.trim().toLowerCase();
  const phones = new Set(book.filter((entry) => entry.name.toLowerCase().includes(wanted)).flatMap((entry) => entry.phones.map((phone) => phone.e164)));
  return contacts.filter((contact) => phones.has(contact.phone)).map(withName);
}

/** Each network the contact uses (active now or published), with what a click on it opens. */
export function networksOf(contact: ContactView, presence: PresenceEvent | undefined, manifests: readonly PluginManifest[]): ShownNetwork[] {
  const active = new Map((presence?.apps ?? []).map((app) => [app.plugin, app.since]));
  const shown: ShownNetwork[] = [];
  for (const manifest of manifests) {
    const published = contact.identities[manifest.id];
    if (published === undefined && !active.has(manifest.id)) continue;
    const identity = { ...(published ?? {}), phone: contact.phone };
    const chat = renderLaunchLink(manifest, 'chat', identity, 'contact');
    const web = planWebLaunch(manifest, identity);
    shown.push({
      pluginId: manifest.id,
      name: manifest.name,
      ...(active.has(manifest.id) ? { activeSince: active.get(manifest.id) } : {}),
      ...(published === undefined ? {} : { published }),
      ...(chat.ok ? { chatLink: chat.url } : {}),
      ...(web.ok ? { webLink: web.url, ...(web.copy === undefined ? {} : { copies: web.copy }) } : {}),
      ...(!web.ok && web.missing !== undefined ? { missing: web.missing } : {}),
    });
  }
  // Lit first, as in the app's rows.
  return shown.sort((a, b) => Number(b.activeSince !== undefined) - Number(a.activeSince !== undefined));
}

function printNetworks(io: CliIo, heading: string, networks: readonly ShownNetwork[]): void {
  io.stdout(`${heading}\n`);
  if (networks.length === 0) io.stdout('  no network in use that they share with you\n');
  for (const network of networks) {
    const state = [network.activeSince === undefined ? undefined : `active since ${network.activeSince}`, network.published === undefined ? undefined : Object.keys(network.published).length === 0 ? 'published (by number)' : `published ${Object.values(network.published).join(' ')}`].filter(Boolean).join(', ');
    io.stdout(`  ${network.name} (${network.pluginId}): ${state}\n`);
    if (network.chatLink !== undefined) io.stdout(`    desktop: ${network.chatLink}\n`);
    if (network.webLink !== undefined) io.stdout(`    browser: ${network.webLink}${network.copies === undefined ? '' : ` (copies ${network.copies.field} ${network.copies.value})`}\n`);
    if (network.missing !== undefined) io.stdout(`    no link: they have not published ${network.missing.join(', ')}; ask them\n`);
  }
}

export const contactsShow: Command = {
  name: ['contacts', 'show'],
  args: '<name or number> [--book FILE] [--json] [--server URL] [--plugins DIR]',
  summary: 'Show a contact\'s networks (active now, published handle) and the link a click on each would open.',
  options: {
    book: { type: 'string', description: 'An address book (vCard, CSV, TXT, XLSX) to find the contact by name; names never leave this machine.' },
    json: { type: 'boolean', description: 'Print [{ userId, phone, name?, networks }] as JSON.' },
    server: { type: 'string', description: 'The Switchboard server (default SWITCHBOARD_SERVER_URL or http://127.0.0.1:8080).' },
    plugins: { type: 'string', multiple: true, description: 'Another folder of plugins (also SWITCHBOARD_PLUGINS_DIR).' },
  },
  async run({ positionals, options }, io) {
    const query = positionals.join(' ').trim();
    if (query === '') throw new UsageError('name the contact: a name (with --book) or a phone number');
    const serverUrl = stringOption(options, 'server') ?? defaultServerUrl(io.env);
    const bookFile = stringOption(options, 'book');
    const book = bookFile === undefined ? [] : await readBook(resolve(io.cwd, bookFile));
    if (typeof book === 'string') {
      io.stderr(`${book}\n`);
      return EXIT_FAILURE;
    }
    const session = await signedInClient(serverUrl, io);
    if (session === undefined) {
      io.stderr(notSignedIn(serverUrl));
      return EXIT_FAILURE;
    }
    let contacts: ContactView[];
    let region: string | undefined;
    try {
      contacts = await session.api.call(routes.contacts, {});
      // A number typed without a country code is read in the region of my own number.
      region = regionOfE164((await session.api.call(routes.me, {})).phone);
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      io.stderr(`Could not list your contacts: ${humanError(error)}\n`);
      return EXIT_FAILURE;
    }
    const found = findContacts(query, region, contacts, book);
    if (found.length === 0) {
      io.stderr(`no contact on Switchboard matches "${query}"${bookFile === undefined && !/\d/.test(query) ? ' (to find someone by name, pass --book with your address book)' : ''}\n`);
      return EXIT_FAILURE;
    }
    const loaded = await loadPlugins({ builtinDir: builtinPluginsDir, extraDirs: extraPluginDirs(stringOptions(options, 'plugins').map((dir) => resolve(io.cwd, dir)), io.env) });
    const manifests = loaded.plugins.map((plugin) => plugin.manifest);
    const shown = [];
    for (const { contact, name } of found) {
      const presence = await presenceOf(serverUrl, session.token, contact.userId);
      shown.push({ userId: contact.userId, phone: contact.phone, ...(name === undefined ? {} : { name }), status: presence?.status ?? 'offline', networks: networksOf(contact, presence, manifests) });
    }
    if (booleanOption(options, 'json')) io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    else for (const contact of shown) printNetworks(io, `${contact.name ?? contact.phone} (${contact.phone}, ${contact.status})`, contact.networks);
    return EXIT_OK;
  },
};
