import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHost } from '#core/plugin-host/index.js';
import { validatePluginDir } from '#core/plugins/validate.js';
import { createVault, credentialAccount, pluginDataAccount, type Vault } from '#core/vault/index.js';
import { repoRoot } from '../support/cli-process.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { tempDir } from '../support/test-server.js';
import { mastodonAccount, startMastodonApiStandIn, type MastodonApiStandIn } from './mastodon-api-stand-in.js';
import { writePlugin } from './plugin-folders.js';

const keyringUp = await keyringAvailable();
const token = 'mastodon-access-token-0123456789';

/** 170 follows: three pages of 80, 80 and 10, so the adapter has to follow `Link: rel="next"` twice. */
function followList() {
  const people = [
    mastodonAccount('101', 'bob', 'Bob Li', { fields: [['Phone', '<a href="tel:+8613900139000">+86 139 0013 9000</a>'], ['Mail', '<a href="mailto:bob@example.org">bob@example.org</a>']] }),
    mastodonAccount('102', 'carol@social.example', 'Carol', { note: '<p>Call me on +44 20 7946 0958 &amp; write to carol&#64;example.net</p>' }),
    mastodonAccount('103', 'dave@other.example', '', { note: '<p>No contact details; +1 is not a number</p>' }),
  ];
  for (let index = 0; index < 167; index += 1) people.push(mastodonAccount(String(200 + index), `filler${index}@crowd.example`, `Filler ${index}`));
  return people;
}

describe.skipIf(!keyringUp)('the Mastodon adapter through the plugin host (local stand-in of Mastodon\'s API)', () => {
  let keyring: PrivateKeyring;
  let vault: Vault;
  let mastodon: MastodonApiStandIn;
  let host: PluginHost;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    vault = createVault({ service: `switchboard-mastodon-test-${process.pid}` });
    mastodon = await startMastodonApiStandIn({ token, me: mastodonAccount('1', 'alice', 'Alice'), following: followList() });
    const validation = await validatePluginDir(path.join(repoRoot, 'plugins/mastodon'));
    if (validation.manifest === undefined || !validation.ok) throw new Error(`plugins/mastodon is invalid: ${JSON.stringify(validation.issues)}`);
    // The token reaches the plugin only from the keychain, as account binding left it there.
    await vault.setSecret(credentialAccount('mastodon', mastodon.instance), { type: 'oauth2', accessToken: token, tokenType: 'Bearer', instance: mastodon.instance, boundAt: Date.now() });
    host = new PluginHost({ plugin: { id: 'mastodon', dir: validation.dir, manifest: validation.manifest }, vault, plainHttpOnLoopback: true });
  });
  afterAll(async () => {
    await host?.stop({ final: true });
    await mastodon?.close();
    await keyring?.stop();
  });

  it('imports the people Alice follows, across pages, with handles, servers, phones and e-mails found in profiles', async () => {
    const { contacts, droppedPhones } = await host.importContacts({ accountId: mastodon.instance });
    expect(contacts).toHaveLength(170);
    expect(droppedPhones).toBe(0);
    expect(contacts.find((contact) => contact.identity.id === '101')).toEqual({
      displayName: 'Bob Li',
      phones: ['+8613900139000'],
      identity: { handle: 'bob', server: 'mastodon.example', id: '101', email: 'bob@example.org' },
    });
    expect(contacts.find((contact) => contact.identity.id === '102')).toEqual({
      displayName: 'Carol',
      phones: ['+442079460958'],
      identity: { handle: 'carol', server: 'social.example', id: '102', email: 'carol@example.net' },
    });
    expect(contacts.find((contact) => contact.identity.id === '103')).toEqual({ displayName: 'dave', phones: [], identity: { handle: 'dave', server: 'other.example', id: '103' } });

    const lines = mastodon.requests.map((request) => request.line);
    expect(lines[0]).toBe('GET /api/v1/accounts/verify_credentials');
    expect(lines.filter((line) => line.startsWith('GET /api/v1/accounts/1/following'))).toEqual([
      'GET /api/v1/accounts/1/following?limit=80',
      expect.stringMatching(/^GET \/api\/v1\/accounts\/1\/following\?limit=80&max_id=\d+$/),
      expect.stringMatching(/^GET \/api\/v1\/accounts\/1\/following\?limit=80&max_id=\d+$/),
    ]);
    expect(mastodon.requests.every((request) => request.authorised)).toBe(true);
  });

  it('looks up the Mastodon identity that publishes a phone number, and finds none for an unknown number', async () => {
    expect(await host.lookupIdentity('+8613900139000', { accountId: mastodon.instance })).toEqual({ handle: 'bob', server: 'mastodon.example', id: '101', email: 'bob@example.org' });
    expect(await host.lookupIdentity('+8613800138000', { accountId: mastodon.instance })).toBeUndefined();
  });

  it('fails with the plugin\'s code when no account is bound or the token is refused', async () => {
    await expect(host.importContacts({ accountId: 'not-bound.example' })).rejects.toMatchObject({ code: 'plugin_error', pluginCode: 'not_bound' });
    await vault.setSecret(credentialAccount('mastodon', 'revoked'), { type: 'oauth2', accessToken: 'revoked-token', tokenType: 'Bearer', instance: mastodon.instance, boundAt: 1 });
    await expect(host.importContacts({ accountId: 'revoked' })).rejects.toMatchObject({ code: 'plugin_error', pluginCode: 'unauthorized' });
  });

  it('keeps a plugin\'s own secrets in the keychain under its namespace, apart from other plugins and from credentials', async () => {
    const root = tempDir('plugin-secrets-');
    const source = `export default { async importContacts(ctx) {
      const before = await ctx.secrets.get('cursor');
      await ctx.secrets.set('cursor', 'page-7-' + ctx.pluginId);
      const after = await ctx.secrets.get('cursor');
      let credential;
      try { credential = await ctx.secrets.get('credential:mastodon:x'); } catch (error) { credential = error.code; }
      return [{ displayName: [String(before), after, credential].join(' '), phones: [], identity: {} }];
    } };\n`;
    const first = new PluginHost({ plugin: await writePlugin(root, 'keeps-cursor', { 'main.mjs': source }), vault });
    const second = new PluginHost({ plugin: await writePlugin(root, 'also-keeps-cursor', { 'main.mjs': source }), vault });
    try {
      expect((await first.importContacts()).contacts[0]?.displayName).toBe('undefined page-7-keeps-cursor invalid_secret_key');
      expect((await second.importContacts()).contacts[0]?.displayName).toBe('undefined page-7-also-keeps-cursor invalid_secret_key');
      expect(await vault.getSecret(pluginDataAccount('keeps-cursor', 'cursor'))).toEqual({ value: 'page-7-keeps-cursor' });
      expect(await keyring.secretTool('search', '--all', 'service', vault.service)).toContain('plugin-data:keeps-cursor:cursor');
    } finally {
      await first.stop({ final: true });
      await second.stop({ final: true });
    }
  });
});
