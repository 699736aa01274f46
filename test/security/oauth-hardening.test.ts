import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackReceiver } from '#core/accounts/index.js';
import { isInternalAddress } from '#server/features/accounts/public-host.js';
import { loadConfig } from '#server/config.js';
import { routePath, routes } from '#common/contract/routes.js';
import { browse } from '../support/oidc.js';
import { signIn, testDevice, type ApiClient } from '../support/test-server.js';
import { startBindingWorld, type BindingWorld } from '../accounts/setup.js';
import { startMastodonStandIn, type MastodonStandIn } from '../accounts/mastodon-stand-in.js';

type Tokens = { accessToken: string; refreshToken?: string };

/** A raw request with a Host header of the attacker's choosing (fetch does not let one set Host). */
function requestWithHost(url: string, method: string, host: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: { ...headers, host, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const mastodonOverHttp = {
  mastodon: {
    authorizationUrl: 'http://{instance}/oauth/authorize',
    tokenUrl: 'http://{instance}/oauth/token',
    revocationUrl: 'http://{instance}/oauth/revoke',
    registrationUrl: 'http://{instance}/api/v1/apps',
  },
};

/** Issue 10 items 10 and 12, performed over real HTTP against real OAuth servers (oidc-provider, a Mastodon stand-in). */
describe('OAuth redirect, returnTo, refresh binding', () => {
  let world: BindingWorld;
  let mastodon: MastodonStandIn;
  let alice: Awaited<ReturnType<typeof signIn>>;
  let aliceApi: ApiClient;

  beforeAll(async () => {
    mastodon = await startMastodonStandIn();
    world = await startBindingWorld({ clients: mastodonOverHttp });
    alice = await signIn(world.server.api, '+8613800138000', testDevice('Alice laptop'));
    aliceApi = world.server.api.withToken(alice.token);
  });
  afterAll(async () => {
    await world?.close();
    await mastodon?.close();
  });

  it('item 10: a forged Host header cannot re-register the server on an instance with a foreign redirect URI', async () => {
    const forged = await requestWithHost(world.server.url + routePath(routes.startOAuth, { plugin: 'mastodon' }), 'POST', 'evil.example', { authorization: `Bearer ${alice.token}` }, { instance: mastodon.instance });
    expect(forged.status).toBe(201);
    expect(JSON.parse(forged.body)).toMatchObject({ authorizeUrl: expect.stringMatching(new RegExp(`^${world.server.url}/`)) });
    // On the old code the registration carried http://evil.example/v1/oauth/mastodon/callback.
    expect(mastodon.registrations.map((registration) => registration.redirectUri)).toEqual([world.server.url + routePath(routes.oauthCallback, { plugin: 'mastodon' })]);
    const again = await aliceApi.route(routes.startOAuth, { params: { plugin: 'mastodon' }, body: { instance: mastodon.instance } });
    expect(again.status).toBe(201);
    expect(mastodon.registrations).toHaveLength(1);
    // The browser pages answer at the public host only.
    const page = await requestWithHost(`${world.server.url}${routePath(routes.oauthAuthorize, { plugin: 'slack' })}?start=${'x'.repeat(20)}`, 'GET', 'evil.example', { accept: 'application/json' });
    expect(page.status).toBe(400);
  });

  it('item 10: returnTo is a loopback listener, the app link or a page of this server, nothing else', async () => {
    const cases: [string, number][] = [
      ['https://evil.example/steal', 400],
      ['http://evil.example/steal', 400],
      ['http://127.0.0.1:99999/cb', 400],
      ['http://user@127.0.0.1:8000/cb', 400],
      ['http://127.0.0.1:51234/cb', 201],
      ['http://[::1]:51234/cb', 201],
      ['switchboard://oauth/done', 201],
      [`${world.server.url}/accounts/done`, 201],
    ];
    for (const [returnTo, status] of cases) {
      const answer = await aliceApi.route(routes.startOAuth, { params: { plugin: 'slack' }, body: { returnTo } });
      expect([returnTo, answer.status]).toEqual([returnTo, status]);
      if (status === 400) expect(answer.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('item 10: a public server with OAuth clients must name its PUBLIC_URL', () => {
    const base = { SWITCHBOARD_SECRET: 'x'.repeat(32), OAUTH_CLIENTS_FILE: '/tmp/clients.json' };
    expect(() => loadConfig({ ...base, HOST: '0.0.0.0' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ ...base, HOST: '0.0.0.0', PUBLIC_URL: 'https://sb.example.com' }).publicUrl).toBe('https://sb.example.com');
    expect(loadConfig({ ...base, HOST: '127.0.0.1' }).publicUrl).toBeUndefined();
  });

  it("item 12: nobody refreshes (or revokes) a token with the server's client secret for a network they have not bound", async () => {
    const receiver = await startLoopbackReceiver({ timeoutMs: 20_000 });
    let tokens: Tokens;
    try {
      const start = await aliceApi.route<{ authorizeUrl: string }>(routes.startOAuth, { params: { plugin: 'slack' }, body: { returnTo: receiver.returnTo } });
      await browse(start.body.authorizeUrl);
      tokens = (await aliceApi.route<Tokens>(routes.redeemHandoff, { params: { plugin: 'slack' }, body: { handoff: await receiver.wait() } })).body;
    } finally {
      await receiver.close();
    }
    const mallory = await signIn(world.server.api, '+8613900139000', testDevice('Mallory'));
    const malloryApi = world.server.api.withToken(mallory.token);
    // On the old code this answered 200 with fresh tokens for Alice's account.
    const stolen = await malloryApi.route(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: tokens.refreshToken } });
    expect(stolen).toMatchObject({ status: 403, body: { error: { code: 'not_bound' } } });
    expect((await malloryApi.route(routes.revokeToken, { params: { plugin: 'slack' }, body: { token: tokens.accessToken } })).status).toBe(403);
    expect(await world.oauth.isActive(tokens.accessToken)).toBe(true);
    // Bound, but not on that instance: refused too.
    expect((await aliceApi.route(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: tokens.refreshToken, instance: 'mastodon.social' } })).status).toBe(403);
    expect((await aliceApi.route(routes.refreshToken, { params: { plugin: 'slack' }, body: { refreshToken: tokens.refreshToken } })).status).toBe(200);
  });
});

describe('item 12: the SSRF guard', () => {
  it('classifies IPv4-mapped and other special IPv6 ranges as internal', () => {
    const internal = [
      '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '198.18.0.1', '224.0.0.1',
      '::1', '::', 'fd00::1', 'fc00::1', 'fe80::1', 'ff02::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a00:1', '64:ff9b::a00:1', '2002:a00:1::1', '2001:db8::1', 'not an address',
    ];
    // On the old code '::ffff:7f00:1', '::ffff:a00:1', '64:ff9b::a00:1', '2002:a00:1::1' and '2001:db8::1' counted as public.
    expect(internal.filter((address) => !isInternalAddress(address))).toEqual([]);
    expect(['1.1.1.1', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'].filter(isInternalAddress)).toEqual([]);
  });

  it('connects to the address it checked: a DNS answer that changes after the check (rebinding) is refused', async () => {
    const mastodon = await startMastodonStandIn();
    const port = mastodon.instance.split(':')[1];
    let lookups = 0;
    // STAND-IN for a hostile authoritative DNS server: a public address for the first question, then the
    // Mastodon stand-in's loopback address, as a rebinding attacker answers.
    const hostResolver = async () => {
      lookups += 1;
      return lookups === 1 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    const world = await startBindingWorld({ clients: mastodonOverHttp, server: { env: { OAUTH_ALLOW_PRIVATE_INSTANCES: '0' }, hostResolver } });
    try {
      const me = await signIn(world.server.api, '+8613800138111');
      const answer = await world.server.api.withToken(me.token).route(routes.startOAuth, { params: { plugin: 'mastodon' }, body: { instance: `rebind.example:${port}` } });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
      expect(lookups).toBe(2);
      expect(mastodon.registrations).toEqual([]);
    } finally {
      await world.close();
      await mastodon.close();
    }
  });
});
