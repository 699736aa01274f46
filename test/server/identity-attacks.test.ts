import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import { AddressApi } from '../support/from-address.js';
import { ManualClock, latestCode, testDevice, type ApiClient, type TestServer } from '../support/test-server.js';

/**
 * Attacks on sign-in over real HTTP (issue 10, items 1, 4 and 9), on SQLite and PostgreSQL. The races
 * use real parallel requests; "other people" send from other loopback addresses (127.0.0.x).
 */
const backends = await serverBackends();
const victim = '+8613800138000';
const generous = { checksPerIpPerHour: 100_000, sendsPerIpPerHour: 100_000, passwordAttemptsPerIpPerHour: 100_000 };

type Answer = { status: number; body: { error?: { code?: string; attemptsLeft?: number; retryAfter?: number }; ticket?: string } };

function otherCodes(right: string, count: number): string[] {
  const codes: string[] = [];
  for (let n = 0; codes.length < count; n += 1) {
    const code = String(n).padStart(6, '0');
    if (code !== right) codes.push(code);
  }
  return codes;
}

function tally(answers: Answer[]): Record<number, number> {
  const byStatus: Record<number, number> = {};
  for (const answer of answers) byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
  return byStatus;
}

describe.each(backends)('sign-in attacks on $name', ({ name, available }) => {
  let server: TestServer;
  let clock: ManualClock;

  afterEach(async () => {
    await server?.close();
  });

  async function start(limits = {}) {
    clock = new ManualClock();
    server = await startServerOn(name, { clock, limits: { ...generous, ...limits } });
    return server.api;
  }

  async function requestCode(api: ApiClient, phone = victim) {
    const started = await api.route<{ verificationId: string }>(routes.startVerification, { body: { phone } });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    return started.body.verificationId;
  }

  const check = (api: ApiClient, id: string, code: string) => api.route(routes.checkCode, { params: { verificationId: id }, body: { code } }) as Promise<Answer>;

  // GUESS_BURST=1000 for the full figure; 300 by default to spare shared machines.
  const burst = Number(process.env.GUESS_BURST ?? 300);

  it.skipIf(!available)(`item 1: ${burst} parallel guesses are evaluated at most 5 times per code`, async () => {
    const api = await start();
    const id = await requestCode(api);
    const right = await latestCode(api, victim);
    const answers = await Promise.all(otherCodes(right, burst).map((code) => check(api, id, code)));
    const byStatus = tally(answers);
    // Evaluated = answered "wrong code"; everything else was refused before the comparison.
    console.info(`[figure] ${name}: parallel guesses evaluated per code: ${byStatus[400] ?? 0} of ${burst}`);
    expect(byStatus).toEqual({ 400: 5, 429: burst - 5 });
    expect(answers.filter((answer) => answer.status === 400).map((answer) => answer.body.error?.attemptsLeft).sort()).toEqual([0, 1, 2, 3, 4]);
    // The budget is spent: even the right code gets no ticket now.
    expect((await check(api, id, right)).body.error?.code).toBe('too_many_attempts');
  });

  it.skipIf(!available)('item 1: a right code sent last in a parallel burst of 120 gets no ticket', async () => {
    const api = await start();
    const id = await requestCode(api);
    const right = await latestCode(api, victim);
    const burst = [...otherCodes(right, 119), right].map((code) => check(api, id, code));
    const answers = await Promise.all(burst);
    expect(answers.filter((answer) => answer.status === 200)).toEqual([]);
    expect(answers.at(-1)?.body.error?.code).toBe('too_many_attempts');
    expect(tally(answers)[400]).toBe(5);
  });

  it.skipIf(!available)('item 1: a parallel burst of wrong passwords is evaluated only up to the slow-down', async () => {
    const api = await start();
    const owner = await signInByCode(api);
    expect((await api.withToken(owner).route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
    const attacker = new AddressApi(server.url, '127.0.0.2');
    const answers = (await Promise.all(
      Array.from({ length: 60 }, (_, i) => attacker.route(routes.passwordSession, { body: { phone: victim, password: `guess-${i}`, device: testDevice() } })),
    )) as Answer[];
    const byStatus = tally(answers);
    console.info(`[figure] ${name}: parallel password guesses evaluated: ${byStatus[401] ?? 0} of 60`);
    expect(byStatus).toEqual({ 401: 5, 429: 55 });
    expect(answers.find((answer) => answer.status === 429)?.body.error?.code).toBe('too_many_attempts');
  });

  it.skipIf(!available)('item 9: a resend after 5 wrong guesses gives a fresh budget; every 429 says when to retry', async () => {
    const api = await start();
    const id = await requestCode(api);
    const first = await latestCode(api, victim);
    for (const code of otherCodes(first, 5)) expect((await check(api, id, code)).status).toBe(400);
    const spent = await api.route(routes.checkCode, { params: { verificationId: id }, body: { code: first } });
    expect(spent.status).toBe(429);
    expect(spent.body).toMatchObject({ error: { code: 'too_many_attempts', attemptsLeft: 0, retryAfter: expect.any(Number) } });
    expect(Number(spent.headers.get('retry-after'))).toBe((spent.body as Answer['body']).error?.retryAfter);

    clock.advance(30_000);
    expect(await requestCode(api)).toBe(id);
    const second = await latestCode(api, victim);
    const answer = await check(api, id, second);
    expect(answer.status).toBe(200);
    expect(answer.body.ticket).toEqual(expect.any(String));
  });

  it.skipIf(!available)("item 4: a stranger's wrong passwords never block the owner's sign-in by code", async () => {
    const api = await start();
    const owner = await signInByCode(api);
    expect((await api.withToken(owner).route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
    // Thirty wrong passwords from three addresses, spread out so the slow-down never refuses them.
    for (let i = 0; i < 30; i += 1) {
      clock.advance(6 * 60_000);
      const attacker = new AddressApi(server.url, `127.0.0.${2 + (i % 3)}`);
      const answer = await attacker.route(routes.passwordSession, { body: { phone: victim, password: `guess-${i}`, device: testDevice() } });
      expect(answer.status).toBe(401);
    }
    // One more failure right now: under the old rules this renewed an hour-long lock of the number.
    await new AddressApi(server.url, '127.0.0.2').route(routes.passwordSession, { body: { phone: victim, password: 'again', device: testDevice() } });
    expect(await signInByCode(api, false)).toEqual(expect.any(String));
    // Password sign-in is only slowed, never locked: the longest wait is passwordMaxDelayMs.
    clock.advance(5 * 60_000);
    const password = await api.route(routes.passwordSession, { body: { phone: victim, password: 'correct horse battery', device: testDevice() } });
    expect(password.status).toBe(201);
  });

  it.skipIf(!available)("item 4: a stranger's wrong codes never block the owner's code", async () => {
    const api = await start();
    const attacker = new AddressApi(server.url, '127.0.0.2');
    for (let round = 0; round < 5; round += 1) {
      clock.advance(11 * 60_000);
      const id = await requestCode(attacker);
      for (const code of otherCodes('', 5)) await check(attacker, id, code);
    }
    const ownId = await requestCode(api);
    const answer = await check(api, ownId, await latestCode(api, victim));
    expect(answer.status).toBe(200);
  });

  it.skipIf(!available)("item 4: strangers spending the number's daily codes cannot deny the owner a code", async () => {
    const api = await start({ sendsPerPhonePerDay: 10, sendsPerPhonePerAddressPerDay: 5 });
    let refused: Answer | undefined;
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const attacker = new AddressApi(server.url, address);
      for (let i = 0; i < 6; i += 1) {
        clock.advance(11 * 60_000);
        const answer = (await attacker.route(routes.startVerification, { body: { phone: victim } })) as Answer;
        if (answer.status === 429) refused = answer;
      }
    }
    // The strangers were held back (per address and, past the number's quota, per number) ...
    expect(refused?.body.error?.code).toBe('too_many_requests');
    // ... and the owner asking from their own address still gets a code at once.
    const id = await requestCode(api);
    expect((await check(api, id, await latestCode(api, victim))).status).toBe(200);
  });

  async function signInByCode(api: ApiClient, waitForPreviousCode = true): Promise<string> {
    if (waitForPreviousCode) clock.advance(11 * 60_000);
    const id = await requestCode(api);
    const checked = await check(api, id, await latestCode(api, victim));
    expect(checked.status, JSON.stringify(checked.body)).toBe(200);
    const session = await api.route<{ token: string }>(routes.createSession, { body: { ticket: checked.body.ticket, device: testDevice() } });
    expect(session.status).toBe(201);
    return session.body.token;
  }
});
