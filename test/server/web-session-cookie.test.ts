import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import type { ClientSocket } from '../support/sockets.js';
import { ManualClock, testDevice, verifyNumber, type TestServer } from '../support/test-server.js';

/** The web client's session in an HttpOnly cookie with CSRF protection, over real HTTP and sockets (issue 12 item 1, issue 10 item 18). */
const backends = await serverBackends();
const phone = '+8613800138011';

type Cookie = { name: string; value: string; attributes: string[] };

function cookiesOf(headers: Headers): Cookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    return { name: pair.slice(0, separator), value: decodeURIComponent(pair.slice(separator + 1)), attributes: attributes.map((a) => a.toLowerCase()) };
  });
}

function cookieHeader(cookies: Cookie[]): string {
  return cookies.map((cookie) => `${cookie.name}=${encodeURIComponent(cookie.value)}`).join('; ');
}

describe.each(backends)('web session cookie on $name', ({ name, available }) => {
  let server: TestServer;
  const sockets: ClientSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await server?.close();
  });

  async function cookieSignIn(keepSignedIn: boolean, clock = new ManualClock()) {
    server = await startServerOn(name, { clock });
    const ticket = await verifyNumber(server.api, phone);
    const answer = await server.api.route(routes.createSession, { body: { ticket, device: testDevice('Chromium'), session: 'cookie', keepSignedIn } });
    expect(answer.status).toBe(201);
    return { answer, cookies: cookiesOf(answer.headers), clock };
  }

  it.skipIf(!available)('sets an HttpOnly SameSite cookie, answers no token, and refuses state changes without the CSRF header', async () => {
    const { answer, cookies } = await cookieSignIn(true);
    expect(answer.body).not.toHaveProperty('token');
    const session = cookies.find((cookie) => cookie.name === 'sb_session');
    const csrf = cookies.find((cookie) => cookie.name === 'sb_csrf');
    expect(session?.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    // Served over plain http on loopback: a Secure cookie would be dropped by the browser.
    expect(session?.attributes.some((attribute) => attribute === 'secure')).toBe(false);
    expect(session?.attributes.some((attribute) => attribute.startsWith('max-age='))).toBe(true);
    expect(csrf?.attributes).not.toContain('httponly');
    if (!session || !csrf) throw new Error('cookies missing');

    const byCookie = server.api.withHeaders({ cookie: cookieHeader([session, csrf]) });
    const me = await byCookie.route(routes.me);
    expect(me.status).toBe(200);
    expect(me.body.phone).toBe(phone);

    // A forged cross-site form post carries the cookie but cannot read the CSRF value.
    const forged = await byCookie.route(routes.setPassword, { body: { password: 'a forged password' } });
    expect(forged.status).toBe(403);
    expect((forged.body as { error: { code: string } }).error.code).toBe('csrf_failed');
    const wrongValue = await byCookie.withHeaders({ 'x-csrf-token': 'x'.repeat(csrf.value.length) }).route(routes.setPassword, { body: { password: 'a forged password' } });
    expect(wrongValue.status).toBe(403);
    // A CSRF cookie planted by a sibling host does not help: the value is bound to the session.
    const planted = await byCookie.withHeaders({ cookie: cookieHeader([session, { ...csrf, value: 'planted' }]), 'x-csrf-token': 'planted' }).route(routes.setPassword, { body: { password: 'a forged password' } });
    expect(planted.status).toBe(403);
    expect((await byCookie.route(routes.me)).body.hasPassword).toBe(false);

    const proven = await byCookie.withHeaders({ 'x-csrf-token': csrf.value }).route(routes.setPassword, { body: { password: 'correct horse battery' } });
    expect(proven.status).toBe(204);

    // Sign-out clears both cookies and ends the session.
    const out = await byCookie.withHeaders({ 'x-csrf-token': csrf.value }).route(routes.endSession);
    expect(out.status).toBe(204);
    const cleared = cookiesOf(out.headers);
    expect(cleared.map((cookie) => cookie.name).sort()).toEqual(['sb_csrf', 'sb_session']);
    expect(cleared.every((cookie) => cookie.value === '' && cookie.attributes.some((a) => a.startsWith('expires=thu, 01 jan 1970')))).toBe(true);
    expect((await byCookie.route(routes.me)).status).toBe(401);
  });

  it.skipIf(!available)('deleting the account by cookie clears the cookies', async () => {
    const { cookies } = await cookieSignIn(true);
    const csrf = cookies.find((cookie) => cookie.name === 'sb_csrf')?.value ?? '';
    const byCookie = server.api.withHeaders({ cookie: cookieHeader(cookies), 'x-csrf-token': csrf });
    expect((await byCookie.route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
    const deleted = await byCookie.route(routes.deleteAccount, { body: { password: 'correct horse battery' } });
    expect(deleted.status).toBe(204);
    expect(cookiesOf(deleted.headers).map((cookie) => `${cookie.name}=${cookie.value}`).sort()).toEqual(['sb_csrf=', 'sb_session=']);
  });

  it.skipIf(!available)('behind https the cookies are Secure and bound to the host (__Host-)', async () => {
    server = await startServerOn(name, { env: { PUBLIC_URL: 'https://switchboard.example' } });
    const ticket = await verifyNumber(server.api, phone);
    const answer = await server.api.route(routes.createSession, { body: { ticket, device: testDevice(), session: 'cookie', keepSignedIn: true } });
    const cookies = cookiesOf(answer.headers);
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['__Host-sb_csrf', '__Host-sb_session']);
    expect(cookies.every((cookie) => cookie.attributes.includes('secure') && cookie.attributes.includes('path=/'))).toBe(true);
    const csrf = cookies.find((cookie) => cookie.name === '__Host-sb_csrf')?.value ?? '';
    const byCookie = server.api.withHeaders({ cookie: cookieHeader(cookies) });
    expect((await byCookie.route(routes.me)).status).toBe(200);
    expect((await byCookie.route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(403);
    expect((await byCookie.withHeaders({ 'x-csrf-token': csrf }).route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
  });

  it.skipIf(!available)('bearer sessions work as before and need no CSRF header', async () => {
    server = await startServerOn(name);
    const ticket = await verifyNumber(server.api, phone);
    const answer = await server.api.route<{ token: string }>(routes.createSession, { body: { ticket, device: testDevice() } });
    expect(answer.headers.getSetCookie()).toEqual([]);
    const bearer = server.api.withToken(answer.body.token);
    expect((await bearer.route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
    // A bearer header is judged alone: a stale cookie next to it changes nothing.
    expect((await bearer.withHeaders({ cookie: 'sb_session=stale' }).route(routes.me)).status).toBe(200);
  });

  it.skipIf(!available)('a session cookie without "keep me signed in" has no lifetime, and kept sessions slide', async () => {
    const browser = await cookieSignIn(false);
    const session = browser.cookies.find((cookie) => cookie.name === 'sb_session');
    expect(session?.attributes.some((attribute) => attribute.startsWith('max-age=') || attribute.startsWith('expires='))).toBe(false);
    // The server cannot see the browser close: an unused browser session ends after 12 idle hours.
    browser.clock.advance(11 * 60 * 60_000);
    const byCookie = server.api.withHeaders({ cookie: cookieHeader(browser.cookies) });
    expect((await byCookie.route(routes.me)).status).toBe(200);
    browser.clock.advance(11 * 60 * 60_000);
    expect((await byCookie.route(routes.me)).status).toBe(200);
    browser.clock.advance(13 * 60 * 60_000);
    expect((await byCookie.route(routes.me)).status).toBe(401);
    await server.close();

    const kept = await cookieSignIn(true);
    const keptCookies = server.api.withHeaders({ cookie: cookieHeader(kept.cookies) });
    // Used every 20 days, a 30-day session lives on past 90 days; each use renews the browser's cookie too.
    for (let day = 20; day <= 100; day += 20) {
      kept.clock.advance(20 * 24 * 60 * 60_000);
      const answer = await keptCookies.route(routes.me);
      expect(answer.status).toBe(200);
      expect(cookiesOf(answer.headers).find((cookie) => cookie.name === 'sb_session')?.attributes).toContain(`max-age=${30 * 24 * 60 * 60}`);
    }
    kept.clock.advance(31 * 24 * 60 * 60_000);
    expect((await keptCookies.route(routes.me)).status).toBe(401);
  });

  it.skipIf(!available)('a socket signs in from the cookie, but not from another site\'s page', async () => {
    const { cookies } = await cookieSignIn(true);
    const open = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
        sockets.push(socket);
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (error: Error & { data?: { code?: string } }) => resolve(error.data?.code ?? error.message));
      });
    const host = new URL(server.url).host;
    expect(await open({ cookie: cookieHeader(cookies), origin: `http://${host}` })).toBe('connected');
    expect(await open({ cookie: cookieHeader(cookies), origin: 'https://evil.example' })).toBe('forbidden');
    expect(await open({ origin: `http://${host}` })).toBe('unauthorized');
  });
});
