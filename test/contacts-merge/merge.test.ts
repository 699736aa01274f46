import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAddressBook } from '#common/address-book/index.js';
import { mergePeople, type BoundContact } from '#common/address-book/merge-people.js';
import { mergeBoundContacts } from '#core/contacts/index.js';
import { PluginHost } from '#core/plugin-host/index.js';
import { createVault } from '#core/vault/index.js';
import { writePlugin } from '../plugin-host/plugin-folders.js';
import { tempDir } from '../support/test-server.js';

const vcard = (cards: string[][]) => new TextEncoder().encode(cards.map((lines) => ['BEGIN:VCARD', 'VERSION:3.0', ...lines, 'END:VCARD'].join('\r\n')).join('\r\n') + '\r\n');

// The address book goes through the real importer, so entries have the refs and E.164 numbers the app has.
const book = parseAddressBook(
  vcard([
    ['FN:Bob Li', 'TEL;TYPE=CELL:+86 139 0013 9000'],
    ['FN:Carol Jones', 'TEL;TYPE=CELL:+44 20 7946 0958', 'EMAIL:Carol@Example.net'],
    ['FN:Dan', 'TEL;TYPE=CELL:+1 650 253 0000'],
  ]),
).entries;

const contact = (pluginId: string, accountId: string, fields: Partial<BoundContact>): BoundContact => ({ pluginId, accountId, phones: [], identity: {}, ...fields });

describe('merging contacts of bound accounts into the people of the address book (M11)', () => {
  it('joins network contacts to address-book people by number, e-mail and, within a network, handle', () => {
    const people = mergePeople(book, [
      contact('telegram', 'default', { displayName: 'bobby', phones: ['+8613900139000'], identity: { handle: 'bobli' } }),
      contact('mastodon', 'mastodon.social', { displayName: 'Carol 🐘', identity: { handle: 'carol', server: 'social.example', email: 'carol@example.net' } }),
      // Alice's second Mastodon account follows Carol too: same handle on the same network, no number or e-mail.
      contact('mastodon', 'fosstodon.org', { displayName: 'Carol J', identity: { handle: 'Carol', server: 'social.example' } }),
      contact('mastodon', 'mastodon.social', { displayName: 'Erin', identity: { handle: 'erin', server: 'mastodon.example' } }),
      contact('slack', 'T1', { displayName: 'Erin (work)', identity: { id: 'U42', email: 'erin@work.example' } }),
      contact('slack', 'T1', { displayName: 'Erin again', identity: { id: 'U43', email: 'ERIN@work.example' } }),
    ]);
    const byName = Object.fromEntries(people.map((person) => [person.name, person]));
    expect(people.map((person) => person.name)).toEqual(['Bob Li', 'Carol Jones', 'Dan', 'Erin', 'Erin (work)']);

    expect(byName['Bob Li']).toMatchObject({ phones: ['+8613900139000'], joinedBy: ['phone'], networks: [{ pluginId: 'telegram', identity: { handle: 'bobli' } }] });
    expect(byName['Carol Jones']?.joinedBy).toEqual(['email', 'handle']);
    expect(byName['Carol Jones']?.networks.map((network) => network.accountId)).toEqual(['mastodon.social', 'fosstodon.org']);
    expect(byName['Carol Jones']?.emails).toEqual(['carol@example.net']);
    expect(byName['Dan']).toMatchObject({ networks: [], joinedBy: [] });
    // Network-only people: Mastodon's Erin and Slack's Erin share nothing (a handle is no identity across networks).
    expect(byName['Erin']).toMatchObject({ key: 'net:mastodon:erin@mastodon.example', networks: [{ pluginId: 'mastodon' }] });
    expect(byName['Erin (work)']).toMatchObject({ key: 'net:slack:U42', emails: ['erin@work.example'], joinedBy: ['email'] });
    expect(byName['Erin (work)']?.networks.map((network) => network.identity.id)).toEqual(['U42', 'U43']);
  });

  it('never fuses two address-book people through one network contact, whatever order the networks answer in', () => {
    const both = contact('mastodon', 'a', { displayName: 'shared', phones: ['+16502530000', '+8613900139000'] });
    for (const order of [[both], [contact('x', 'a', { identity: { handle: 'h' } }), both]]) {
      const people = mergePeople(book, order);
      expect(people.filter((person) => person.addressBookRef !== undefined)).toHaveLength(3);
      const joined = people.filter((person) => person.networks.some((network) => network.displayName === 'shared'));
      expect(joined.map((person) => person.name)).toEqual(['Dan']);
    }
  });

  it('gives every person a distinct, stable key', () => {
    const input = [
      contact('mastodon', 'a', { identity: { handle: 'sam', server: 'one.example' } }),
      contact('mastodon', 'a', { identity: { handle: 'sam', server: 'two.example' } }),
      contact('mastodon', 'a', { identity: {} , phones: ['+8613800138000'] }),
    ];
    const first = mergePeople(book, input).map((person) => person.key);
    expect(new Set(first).size).toBe(first.length);
    expect(mergePeople(book, input).map((person) => person.key)).toEqual(first);
  });
});

describe('merging through real plugin sandboxes', () => {
  const root = tempDir('contacts-merge-');
  const hosts: PluginHost[] = [];
  const vault = createVault({ service: `switchboard-merge-test-${process.pid}` });
  afterAll(async () => {
    for (const host of hosts) await host.stop({ final: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('merges what each plugin imports, and one failing network costs only its own contacts', async () => {
    const friendly = await writePlugin(root, 'frobchat', {
      'main.mjs': `export default { async importContacts() {
        return [
          { displayName: 'B.', phones: ['+86 139 0013 9000'], identity: { handle: 'bob' } },
          { displayName: 'Stranger', phones: ['+86 138 0013 8000', '12'], identity: { handle: 'stranger' } },
        ];
      } };\n`,
    });
    const broken = await writePlugin(root, 'brokenchat', { 'main.mjs': "export default { async importContacts() { throw Object.assign(new Error('token expired'), { code: 'unauthorized' }); } };\n" });
    hosts.push(new PluginHost({ plugin: friendly, vault }), new PluginHost({ plugin: broken, vault }));

    const merged = await mergeBoundContacts(book, hosts.map((host) => ({ host, accountId: 'default' })));
    expect(merged.imported).toEqual([{ pluginId: 'frobchat', accountId: 'default', contacts: 2, droppedPhones: 1 }]);
    expect(merged.failures).toEqual([{ pluginId: 'brokenchat', accountId: 'default', code: 'plugin_error', pluginCode: 'unauthorized', message: expect.stringContaining('token expired') }]);
    expect(merged.people.find((person) => person.name === 'Bob Li')).toMatchObject({ joinedBy: ['phone'], networks: [{ pluginId: 'frobchat', identity: { handle: 'bob' } }] });
    expect(merged.people.find((person) => person.name === 'Stranger')).toMatchObject({ key: 'net:frobchat:stranger', phones: ['+8613800138000'], joinedBy: [] });
  });
});
