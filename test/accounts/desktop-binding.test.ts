import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, type Accounts } from '#core/accounts/index.js';
import { createVault, sessionAccount, type Vault } from '#core/vault/index.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { browse } from '../support/oidc.js';
import { signIn, testDevice } from '../support/test-server.js';
import { startMastodonStandIn, type MastodonStandIn } from './mastodon-stand-in.js';
import { startBindingWorld, type BindingWorld } from './setup.js';
import { routes } from '#common/contract/routes.js';
import { routePath } from '#common/contract/route.js';

const keyringUp = await keyringAvailable();

/** The system browser, as far as these flows need one: follows the page to the end, as a person would. */
const openExternal = async (url: string) => {
  const page = await browse(url);
  if (page.status !== 200) throw new Error(`the browser ended on ${page.url} with ${page.status}: ${page.body.slice(0, 200)}`);
};

describe.skipIf(!keyringUp)('the desktop binds accounts into the real keychain', () => {
  let keyring: PrivateKeyring;
  let vault: Vault;
  let world: BindingWorld;
  let mastodon: MastodonStandIn;
  let accounts: Accounts;
  let userToken: string;

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    vault = createVault({ service: `switchboard-accounts-test-${process.pid}` });
    mastodon = await startMastodonStandIn();
    world = await startBindingWorld({
      clients: {
        // The stand-in speaks plain http on loopback; a real instance is reached over https as in the manifest.
        mastodon: {
          authorizationUrl: 'http://{instance}/oauth/authorize',
          tokenUrl: 'http://{instance}/oauth/token',
          revocationUrl: 'http://{instance}/oauth/revoke',
          registrationUrl: 'http://{instance}/api/v1/apps',
        },
      },
    });
    const me = await signIn(world.server.api, '+8613800138000', testDevice('Desktop'));
    userToken = me.token;
    // What `switchboard login` leaves behind: the session in the keychain, nowhere else.
    await vault.setSecret(sessionAccount(world.server.url), { token: me.token, userId: me.user.id, deviceId: me.device.id });
    accounts = createAccounts({ serverUrl: world.server.url, vault, openExternal });
  });
  afterAll(async () => {
    await world?.close();
    await mastodon?.close();
    await keyring?.stop();
  });

  it('binds Slack by OAuth2: the tokens land in the keychain and nowhere in the server database or logs', async () => {
    const { account, credential } = await accounts.bindOAuth('slack');
    expect(account).toBe('credential:slack:default');
    expect(credential.accessToken.length).toBeGreaterThan(20);
    expect(credential.refreshToken).toBeDefined();
    expect(await vault.getSecret(account)).toEqual(credential);
    expect(await keyring.secretTool('search', '--all', 'service', vault.service)).toContain(credential.accessToken);
    expect(await world.oauth.isActive(credential.accessToken)).toBe(true);
    expect(await accounts.bound()).toEqual(['slack']);

    const database = world.databaseBytes();
    const logs = world.logs.text();
    expect(logs).toContain('oauth binding ready for the desktop');
    for (const secret of [credential.accessToken, credential.refreshToken ?? '', world.oauth.clientSecret]) {
      expect(secret.length).toBeGreaterThan(10);
      expect(database.includes(Buffer.from(secret)), 'database').toBe(false);
      expect(logs.includes(secret), 'logs').toBe(false);
    }
    // The server's whole knowledge of the binding: a plugin id and a time.
    expect(await world.server.storage.db.selectFrom('bound_accounts').selectAll().execute()).toEqual([{ user_id: expect.any(String), plugin_id: 'slack', bound_at: expect.any(Number), instance: null }]);
    expect(await world.server.storage.db.selectFrom('oauth_handoffs').selectAll().execute()).toEqual([]);
  });

  it('refreshes through the server and keeps the new tokens in the keychain only', async () => {
    const before = await vault.getSecret('credential:slack:default');
    const { credential } = await accounts.refresh('slack');
    expect(before?.type === 'oauth2' && before.accessToken).toBeTruthy();
    expect(credential.accessToken).not.toBe(before?.type === 'oauth2' ? before.accessToken : undefined);
    expect(await vault.getSecret('credential:slack:default')).toEqual(credential);
    expect(await world.oauth.isActive(credential.accessToken)).toBe(true);
    expect(world.databaseBytes().includes(Buffer.from(credential.accessToken))).toBe(false);
    expect(world.logs.text().includes(credential.accessToken)).toBe(false);
  });

  it('unbinds: revokes at the provider, deletes the keychain item, and the server forgets the network', async () => {
    const credential = await vault.getSecret('credential:slack:default');
    expect(credential?.type).toBe('oauth2');
    const tokens = credential?.type === 'oauth2' ? [credential.accessToken, credential.refreshToken ?? ''] : [];
    expect(await accounts.unbind('slack')).toEqual({ revoked: true });
    for (const token of tokens) expect(await world.oauth.isActive(token)).toBe(false);
    expect(await vault.getSecret('credential:slack:default')).toBeUndefined();
    expect(await accounts.bound()).toEqual([]);
  });

  it('binds a Mastodon account on a federated instance, registering Switchboard there once (stand-in API)', async () => {
    const first = await accounts.bindOAuth('mastodon', { instance: mastodon.instance });
    expect(first.account).toBe(`credential:mastodon:${mastodon.instance}`);
    expect(first.credential.instance).toBe(mastodon.instance);
    expect(mastodon.tokenIsValid(first.credential.accessToken)).toBe(true);
    expect(mastodon.registrations).toHaveLength(1);
    expect(mastodon.registrations[0]?.redirectUri).toBe(world.server.url + routePath(routes.oauthCallback, { plugin: 'mastodon' }));
    expect(mastodon.registrations[0]?.scopes).toBe('read:accounts read:follows');

    // A second binding (say, after a reinstall) reuses the client the server registered.
    await accounts.unbind('mastodon', mastodon.instance);
    expect(mastodon.tokenIsValid(first.credential.accessToken)).toBe(false);
    const second = await accounts.bindOAuth('mastodon', { instance: mastodon.instance });
    expect(mastodon.registrations).toHaveLength(1);
    expect(await accounts.bound()).toEqual(['mastodon']);

    // The server's client secret on the instance is sealed; the user's token is not there at all.
    const database = world.databaseBytes();
    expect(database.includes(Buffer.from(mastodon.registrations[0]?.clientSecret ?? 'x'))).toBe(false);
    expect(database.includes(Buffer.from(second.credential.accessToken))).toBe(false);
    expect(world.logs.text().includes(second.credential.accessToken)).toBe(false);

    // Mastodon issues no refresh token: the desktop says so instead of calling the server.
    await expect(accounts.refresh('mastodon', mastodon.instance)).rejects.toMatchObject({ code: 'no_refresh_token' });
    expect(await accounts.unbind('mastodon', mastodon.instance)).toEqual({ revoked: true });
    expect(mastodon.tokenIsValid(second.credential.accessToken)).toBe(false);
    expect(await vault.list('credential:')).toEqual([]);
  });

  it('stops with the error code when the person declines, leaving nothing in the keychain', async () => {
    const declining = createAccounts({
      serverUrl: world.server.url,
      vault,
      // A browser whose user presses "Cancel": the provider sends it back with error=access_denied.
      openExternal: async (url) => {
        const atCallback = await browse(url, { stopAt: (next) => next.pathname === routePath(routes.oauthCallback, { plugin: 'slack' }) });
        const declined = new URL(atCallback.url);
        declined.searchParams.delete('code');
        declined.searchParams.set('error', 'access_denied');
        await browse(declined.toString());
      },
    });
    await expect(declining.bindOAuth('slack')).rejects.toMatchObject({ code: 'access_denied' });
    expect(await vault.list('credential:')).toEqual([]);
  });

  it('needs a signed-in session in the keychain', async () => {
    const stranger = createAccounts({ serverUrl: 'http://127.0.0.1:9', vault, openExternal });
    await expect(stranger.bindOAuth('slack')).rejects.toMatchObject({ code: 'not_signed_in' });
    expect(userToken).toBeTruthy();
  });
});
