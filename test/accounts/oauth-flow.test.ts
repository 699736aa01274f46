import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackReceiver } from '#core/accounts/index.js';
import { browse } from '../support/oidc.js';
import { ManualClock, signIn, startTestServer, testDevice, type ApiClient } from '../support/test-server.js';
import { startBindingWorld, type BindingWorld } from './setup.js';
import { routes } from '#common/contract/routes.js';
import { routePath, type RouteDefinition } from '#common/contract/route.js';

type Tokens = { accessToken: string; refreshToken?: string; tokenType: string; expiresAt?: number; plugin: string; boundAt: number };
const isCallback = (url: URL) => url.pathname === routePath(routes.oauthCallback, { plugin: 'slack' });

/** Start on the server, then the browser until the provider sends it back to our callback (not followed). */
async function untilCallback(api: ApiClient, returnTo: string): Promise<URL> {
  const start = await api.route<{ authorizeUrl: string }>(routes.startOAuth, { params: { plugin: 'slack' }, body: { returnTo } });
  expect(start.status).toBe(201);
  return new URL((await browse(start.body.authorizeUrl, { stopAt: isCallback })).url);
}

/** The whole browser leg; answers the handoff id the loopback receiver got. */
async function handoffFor(api: ApiClient): Promise<string> {
  const receiver = await startLoopbackReceiver({ timeoutMs: 20_000 });
  try {
    const start = await api.route<{ authorizeUrl: string }>(routes.startOAuth, { params: { plugin: 'slack' }, body: { returnTo: receiver.returnTo } });
    expect(start.status).toBe(201);
    await browse(start.body.authorizeUrl);
    return await receiver.wait();
  } finally {
    await receiver.close();
  }
}

describe('OAuth2 binding through the server, against a real OAuth2 server (oidc-provider)', () => {
  let world: BindingWorld;
  let alice: Awaited<ReturnType<typeof signIn>>;
  let aliceApi: ApiClient;

  beforeAll(async () => {
    world = await startBindingWorld();
    alice = await signIn(world.server.api, '+8613800138000', testDevice('Alice laptop'));
    aliceApi = world.server.api.withToken(alice.token);
  });
  afterAll(async () => world?.close());

  it('sends the browser to the provider with state and PKCE S256, through a one-time authorize URL', async () => {
    const start = await aliceApi.route<{ authorizeUrl: string; expiresIn: number }>(routes.startOAuth, { params: { plugin: 'slack' }, body: { returnTo: 'http://127.0.0.1:1/done' } });
    expect(start.status).toBe(201);
    expect(start.body.authorizeUrl.startsWith(`${world.server.url}${routePath(routes.oauthAuthorize, { plugin: 'slack' })}?start=`)).toBe(true);

    const first = await fetch(start.body.authorizeUrl, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const toProvider = new URL(first.headers.get('location') ?? '');
    expect(toProvider.origin + toProvider.pathname).toBe(world.oauth.endpoints.authorization);
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toProvider.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(toProvider.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(toProvider.searchParams.get('client_id')).toBe(world.oauth.clientId);
    expect(toProvider.searchParams.get('redirect_uri')).toBe(world.server.url + routePath(routes.oauthCallback, { plugin: 'slack' }));
    expect(toProvider.searchParams.has('client_secret')).toBe(false);

    const again = await fetch(start.body.authorizeUrl, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('invalid_state');
    const inBrowser = await fetch(start.body.authorizeUrl, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(inBrowser.status).toBe(400);
    expect(await inBrowser.text()).toContain('data-error-code="invalid_state"');
  });

  it('hands the tokens over once, and only to the same user on the same device', async () => {
    const handoff = await handoffFor(aliceApi);

    const otherDevice = await signIn(world.server.api, '+8613800138000', testDevice('Alice phone'));
    expect(otherDevice.user.id).toBe(alice.user.id);
    const bob = await signIn(world.server.api, '+8613900139000', testDevice('Bob laptop'));
    for (const stranger of [otherDevice.token, bob.token]) {
      const refused = await world.server.api.withToken(stranger).route(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } });
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ error: { code: 'handoff_not_found' } });
    }
    const wrongPlugin = await aliceApi.route(routes.redeemHandoff, { params: { plugin: 'discord' }, body: { handoff } });
    expect(wrongPlugin.status).toBe(404);
    expect((await world.server.api.route(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } })).status).toBe(401);

    const redeemed = await aliceApi.route<Tokens>(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ plugin: 'slack', tokenType: 'Bearer' });
    expect(redeemed.body.accessToken.length).toBeGreaterThan(20);
    expect(redeemed.body.refreshToken).toBeDefined();
    expect(await world.oauth.isActive(redeemed.body.accessToken)).toBe(true);

    const twice = await aliceApi.route(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } });
    expect(twice.status).toBe(404);
    expect(twice.body).toMatchObject({ error: { code: 'handoff_not_found' } });

    expect((await aliceApi.route(routes.boundAccounts)).body).toEqual({ accounts: [{ pluginId: 'slack', kind: 'oauth2', boundAt: expect.any(String) }] });
    expect((await world.server.api.withToken(bob.token).route(routes.boundAccounts)).body).toEqual({ accounts: [] });
  });

  it('refuses a tampered state and leaves the genuine one usable', async () => {
    const receiver = await startLoopbackReceiver({ timeoutMs: 20_000 });
    try {
      const callback = await untilCallback(aliceApi, receiver.returnTo);
      const state = callback.searchParams.get('state') ?? '';
      const tampered = new URL(callback);
      tampered.searchParams.set('state', state.slice(0, -2) + (state.endsWith('AA') ? 'BB' : 'AA'));
      const refused = await fetch(tampered, { redirect: 'manual', headers: { accept: 'application/json' } });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { code: 'invalid_state' } });
      const noState = new URL(callback);
      noState.searchParams.delete('state');
      expect((await fetch(noState, { redirect: 'manual' })).status).toBe(400);

      const genuine = await fetch(callback, { redirect: 'manual' });
      expect(genuine.status).toBe(303);
      expect(new URL(genuine.headers.get('location') ?? '').searchParams.get('handoff')).toMatch(/^[\w-]{43}$/);
    } finally {
      await receiver.close();
    }
  });

  it('exchanges no code without the PKCE verifier: not by replaying the callback, not at the provider', async () => {
    const callback = await untilCallback(aliceApi, 'http://127.0.0.1:1/done');
    const code = callback.searchParams.get('code') ?? '';

    // Someone holding the code and even the client secret, but not the verifier the server kept sealed.
    const direct = await fetch(world.oauth.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: world.server.url + routePath(routes.oauthCallback, { plugin: 'slack' }), client_id: world.oauth.clientId, client_secret: world.oauth.clientSecret }).toString(),
    });
    expect(direct.status).toBe(400);
    expect(await direct.json()).toMatchObject({ error: 'invalid_grant' });

    const callback2 = await untilCallback(aliceApi, 'http://127.0.0.1:1/done');
    const first = await fetch(callback2, { redirect: 'manual' });
    expect(first.status).toBe(303);
    // Replayed: the state and its verifier were used up by the first exchange.
    const replay = await fetch(callback2, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: { code: 'invalid_state' } });
  });

  it('tells the desktop when the person declines at the provider', async () => {
    const callback = await untilCallback(aliceApi, 'http://127.0.0.1:1/done');
    const declined = new URL(callback);
    declined.searchParams.delete('code');
    declined.searchParams.set('error', 'access_denied');
    const answer = await fetch(declined, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.origin).toBe('http://127.0.0.1:1');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('handoff')).toBe(false);
    // The attempt is over: the genuine code cannot be brought in afterwards.
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(400);
  });

  it('sends the browser back with provider_error when the code exchange fails', async () => {
    const callback = await untilCallback(aliceApi, 'http://127.0.0.1:1/done');
    const forged = new URL(callback);
    forged.searchParams.set('code', 'a-code-the-provider-never-issued');
    const answer = await fetch(forged, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location') ?? '');
    expect(back.searchParams.get('error')).toBe('provider_error');
    expect(back.searchParams.has('handoff')).toBe(false);
    expect(world.logs.text()).toContain('oauth code exchange failed');
    // The state went with the failed exchange: the genuine code cannot follow.
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(400);
  });

  it('refreshes statelessly: new tokens from the provider, nothing kept on the server', async () => {
    const handoff = await handoffFor(aliceApi);
    const tokens = (await aliceApi.route<Tokens>(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } })).body;
    const before = await world.server.storage.db.selectFrom('oauth_handoffs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();

    const refreshed = await aliceApi.route<Tokens>(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: tokens.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).not.toBe(tokens.accessToken);
    expect(await world.oauth.isActive(refreshed.body.accessToken)).toBe(true);
    const after = await world.server.storage.db.selectFrom('oauth_handoffs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);

    const bogus = await aliceApi.route(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: 'not-a-refresh-token' } });
    expect(bogus.status).toBe(400);
    expect(bogus.body).toMatchObject({ error: { code: 'provider_error', providerError: 'invalid_grant' } });
    expect((await world.server.api.route(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: 'x' } })).status).toBe(401);
  });

  it('revokes at the provider (RFC 7009) and forgets the binding', async () => {
    const handoff = await handoffFor(aliceApi);
    const tokens = (await aliceApi.route<Tokens>(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } })).body;
    expect(await world.oauth.isActive(tokens.accessToken)).toBe(true);
    expect((await aliceApi.route(routes.revokeToken, { params: { plugin: 'slack' }, body: { token: tokens.accessToken, tokenTypeHint: 'access_token' } })).body).toEqual({ revoked: true });
    expect(await world.oauth.isActive(tokens.accessToken)).toBe(false);
    expect((await aliceApi.route(routes.unbindAccount, { params: { plugin: 'slack' } })).status).toBe(204);
    expect((await aliceApi.route(routes.boundAccounts)).body).toEqual({ accounts: [] });
  });

  it('answers bad requests with clear codes', async () => {
    const { startOAuth, redeemHandoff, revokeToken } = routes;
    const cases: [RouteDefinition, string, unknown, number, string][] = [
      [startOAuth, 'no-such-network', {}, 404, 'not_found'],
      [startOAuth, 'Bad_Id', {}, 404, 'not_found'],
      [startOAuth, 'whatsapp', {}, 400, 'oauth_not_supported'],
      [startOAuth, 'discord', {}, 503, 'oauth_not_configured'],
      [startOAuth, 'mastodon', {}, 400, 'instance_required'],
      [startOAuth, 'slack', { instance: 'mastodon.social' }, 400, 'validation_failed'],
      [startOAuth, 'slack', { returnTo: 'https://evil.example/steal' }, 400, 'validation_failed'],
      [startOAuth, 'slack', { returnTo: 'http://192.168.1.5:80/x' }, 400, 'validation_failed'],
      [startOAuth, 'mastodon', { instance: 'https://mastodon.social/@x' }, 400, 'validation_failed'],
      [redeemHandoff, 'slack', { handoff: 42 }, 400, 'validation_failed'],
      [revokeToken, 'slack', { token: '' }, 400, 'validation_failed'],
    ];
    for (const [route, plugin, body, status, code] of cases) {
      const answer = await aliceApi.route(route, { params: { plugin }, body });
      const pathname = routePath(route, { plugin });
      expect([pathname, answer.status, answer.body]).toEqual([pathname, status, { error: expect.objectContaining({ code }) }]);
    }
    expect((await aliceApi.route(routes.startOAuth, { params: { plugin: 'slack' }, body: '{not json' })).body).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await world.server.api.route(routes.startOAuth, { params: { plugin: 'slack' }, body: {} })).status).toBe(401);
    const noTicket = await fetch(world.server.client.url(routes.oauthAuthorize, { plugin: 'slack' }), { headers: { accept: 'application/json' } });
    expect(await noTicket.json()).toMatchObject({ error: { code: 'invalid_state' } });
  });
});

describe('the handoff lives two minutes', () => {
  it('is refused after expiry and deleted', async () => {
    const clock = new ManualClock(Date.now());
    const world = await startBindingWorld({ server: { clock } });
    try {
      const me = await signIn(world.server.api, '+8613800138000');
      const api = world.server.api.withToken(me.token);
      const handoff = await handoffFor(api);
      clock.advance(2 * 60_000 + 1);
      const late = await api.route(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff } });
      expect(late.status).toBe(404);
      expect(late.body).toMatchObject({ error: { code: 'handoff_not_found' } });
      expect(await world.server.storage.db.selectFrom('oauth_handoffs').selectAll().execute()).toEqual([]);
    } finally {
      await world.close();
    }
  });
});

describe('without OAUTH_CLIENTS_FILE', () => {
  it('says which networks are not configured instead of failing later', async () => {
    const server = await startTestServer();
    try {
      const me = await signIn(server.api, '+8613800138000');
      const answer = await server.api.withToken(me.token).route(routes.startOAuth, { params: { plugin: 'slack' }, body: {} });
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ error: { code: 'oauth_not_configured' } });
    } finally {
      await server.close();
    }
  });
});

describe('a federated instance must be a public server', () => {
  it('refuses instances on loopback or private addresses unless the operator allows them', async () => {
    const world = await startBindingWorld({ server: { env: { OAUTH_ALLOW_PRIVATE_INSTANCES: '0' } } });
    try {
      const me = await signIn(world.server.api, '+8613800138000');
      const api = world.server.api.withToken(me.token);
      for (const instance of ['127.0.0.1:8080', 'localhost', '10.1.2.3', '192.168.0.7', '[::1]:443', '169.254.169.254']) {
        const answer = await api.route(routes.startOAuth, { params: { plugin: 'mastodon' }, body: { instance } });
        expect([instance, answer.status, answer.body]).toEqual([instance, 400, { error: expect.objectContaining({ code: 'validation_failed' }) }]);
      }
    } finally {
      await world.close();
    }
  });

  it('classifies addresses', async () => {
    const { isInternalAddress } = await import('#server/features/accounts/public-host.js');
    expect(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'].every(isInternalAddress)).toBe(true);
    expect(['1.1.1.1', '8.8.8.8', '172.32.0.1', '2606:4700::1111'].some(isInternalAddress)).toBe(false);
  });
});
