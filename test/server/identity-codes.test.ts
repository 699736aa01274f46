import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, latestCode, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

/** The SMS one-time code rules of M1, each over real HTTP on loopback. */
describe('SMS one-time codes', () => {
  let server: TestServer;
  const clock = new ManualClock();
  const phone = '+8613800138000';

  afterEach(async () => {
    await server?.close();
  });

  async function start(limits = {}) {
    server = await startTestServer({ clock, limits });
    return server.api;
  }

  async function requestCode(body: Record<string, unknown> = { phone }) {
    return server.api.route<{ verificationId: string; expiresIn: number; resendIn: number }>(routes.startVerification, { body });
  }

  async function check(verificationId: string, code: string) {
    return server.api.route<Record<string, unknown>>(routes.checkCode, { params: { verificationId }, body: { code } });
  }

  function wrong(code: string): string {
    return code === '000000' ? '111111' : '000000';
  }

  it('sends 6 digits from the CSPRNG, valid 10 minutes, and says when a resend is allowed', async () => {
    const api = await start();
    const started = await requestCode();
    expect(started.status).toBe(201);
    expect(started.body).toEqual({ verificationId: expect.any(String), expiresIn: 600, resendIn: 30 });
    const sms = await api.route<{ to: string; body: string; sentAt: string }[]>(routes.devSms, { query: { to: phone } });
    expect(sms.body).toHaveLength(1);
    expect(sms.body[0]).toMatchObject({ to: phone, body: expect.stringMatching(/\b\d{6}\b/), sentAt: expect.any(String) });
    // An unencoded "+" reads as a space in a query string; the outbox accepts it too.
    expect((await api.route<unknown[]>(routes.devSms, { query: { to: phone } })).body).toHaveLength(1);
  });

  it('accepts a national number with a region and answers E.164 in the SMS', async () => {
    const api = await start();
    expect((await requestCode({ phone: '138 0013 8000', region: 'cn' })).status).toBe(201);
    expect((await api.route<unknown[]>(routes.devSms, { query: { to: '+8613800138000' } })).body).toHaveLength(1);
    const noRegion = await requestCode({ phone: '13800138000' });
    expect(noRegion.status).toBe(400);
    expect(noRegion.body).toMatchObject({ error: { code: 'invalid_phone', reason: 'region_required' } });
    expect((await requestCode({ phone: '+86 123' })).body).toMatchObject({ error: { code: 'invalid_phone' } });
  });

  it('accepts full-width digits, spaces and dashes in the number and the code, as Chinese input methods type them', async () => {
    const api = await start();
    const fullWidth = (digits: string) => digits.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) + 0xfee0));
    const started = await requestCode({ phone: `\uFF0B${fullWidth('86')} ${fullWidth('138')}-${fullWidth('0013')}\u3000${fullWidth('8000')}` });
    expect(started.status).toBe(201);
    const code = await latestCode(api, phone);
    // One wrong full-width code counts as one wrong code, not as malformed input.
    const wrongAnswer = await check(started.body.verificationId, fullWidth(wrong(code)));
    expect(wrongAnswer.status).toBe(400);
    expect(wrongAnswer.body).toMatchObject({ error: { code: 'invalid_code', attemptsLeft: 4 } });
    const spaced = `${fullWidth(code.slice(0, 3))} ${fullWidth(code.slice(3))}`;
    const answer = await check(started.body.verificationId, spaced);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ticket: expect.any(String) });
    expect((await check(started.body.verificationId, '１２３')).body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('codes differ between verifications (drawn at random)', async () => {
    const api = await start({ sendsPerPhonePerDay: 1000, sendsPerIpPerHour: 1000 });
    const codes = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const number = `+86138001380${String(i).padStart(2, '0')}`;
      await requestCode({ phone: number });
      codes.add(await latestCode(api, number));
    }
    expect(codes.size).toBeGreaterThan(15);
  });

  it('a right code gives a ticket once; the code cannot be used again', async () => {
    const api = await start();
    const { body } = await requestCode();
    const code = await latestCode(api, phone);
    const ok = await check(body.verificationId, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ticket: expect.any(String) });
    const again = await check(body.verificationId, code);
    expect(again.status).toBe(410);
    expect(again.body).toMatchObject({ error: { code: 'expired' } });
  });

  it('a code expires after 10 minutes', async () => {
    const api = await start();
    const { body } = await requestCode();
    const code = await latestCode(api, phone);
    clock.advance(10 * 60_000);
    const late = await check(body.verificationId, code);
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({ error: { code: 'expired', message: expect.any(String) } });
  });

  it('5 wrong checks end the verification, counting down attemptsLeft', async () => {
    const api = await start();
    const { body } = await requestCode();
    const code = await latestCode(api, phone);
    const left: unknown[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await check(body.verificationId, wrong(code));
      expect(answer.status).toBe(400);
      left.push((answer.body as { error: { code: string; attemptsLeft: number } }).error.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const right = await check(body.verificationId, code);
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: { code: 'too_many_attempts' } });
  });

  it('a resend inside the window waits 30 s, 60 s, then 120 s, and stops after 5 sends', async () => {
    const api = await start();
    const first = await requestCode();
    const tooSoon = await requestCode();
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ error: { code: 'resend_too_soon', retryAfter: 30 } });
    expect(tooSoon.headers.get('retry-after')).toBe('30');

    const waits = [30, 60, 120, 120];
    const resendIns: number[] = [];
    for (const wait of waits) {
      clock.advance((wait - 1) * 1000);
      expect((await requestCode()).status).toBe(429);
      clock.advance(1000);
      const again = await requestCode();
      expect(again.status).toBe(201);
      expect(again.body.verificationId).toBe(first.body.verificationId);
      resendIns.push(again.body.resendIn);
    }
    expect(resendIns.slice(0, 3)).toEqual([60, 120, 120]);
    expect((await api.route<unknown[]>(routes.devSms, { query: { to: phone } })).body).toHaveLength(5);
    clock.advance(120_000);
    const sixth = await requestCode();
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ error: { code: 'too_many_requests' } });
  });

  it('a resend replaces the code: the old one no longer works', async () => {
    const api = await start();
    const { body } = await requestCode();
    const oldCode = await latestCode(api, phone);
    clock.advance(30_000);
    await requestCode();
    const newCode = await latestCode(api, phone);
    if (oldCode !== newCode) expect((await check(body.verificationId, oldCode)).status).toBe(400);
    expect((await check(body.verificationId, newCode)).status).toBe(200);
  });

  // Past the number's daily quota, an address it was already sent to is refused (the owner's own
  // address still gets its first code of the day: see identity-attacks.test.ts).
  it('limits sends per number and per IP', async () => {
    await start({ sendsPerPhonePerDay: 2, sendsPerIpPerHour: 4, maxSendsPerVerification: 5 });
    expect((await requestCode()).status).toBe(201);
    clock.advance(30_000);
    expect((await requestCode()).status).toBe(201);
    clock.advance(60_000);
    const perPhone = await requestCode();
    expect(perPhone.status).toBe(429);
    expect(perPhone.body).toMatchObject({ error: { code: 'too_many_requests' } });
    expect((await requestCode({ phone: '+8613900139000' })).status).toBe(201);
    const perIp = await requestCode({ phone: '+8613700137000' });
    expect(perIp.status).toBe(429);
    expect(perIp.body).toMatchObject({ error: { code: 'too_many_requests' } });
  });

  it('answers the same whether or not the number is registered', async () => {
    const api = await start();
    const { body } = await requestCode();
    const ticket = (await check(body.verificationId, await latestCode(api, phone))).body.ticket;
    expect((await api.route(routes.createSession, { body: { ticket, device: testDevice() } })).status).toBe(201);
    clock.advance(11 * 60_000);
    const registered = await requestCode({ phone });
    const unregistered = await requestCode({ phone: '+8613900139000' });
    expect(registered.status).toBe(unregistered.status);
    expect(Object.keys(registered.body).sort()).toEqual(Object.keys(unregistered.body).sort());
    expect({ ...registered.body, verificationId: 'x' }).toEqual({ ...unregistered.body, verificationId: 'x' });
  });

  it('refuses malformed checks with a code and unknown verifications with 404', async () => {
    const api = await start();
    const { body } = await requestCode();
    const malformed = await check(body.verificationId, '12ab56');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await check('00000000-0000-4000-8000-000000000000', '123456')).status).toBe(404);
    expect((await check('not-a-uuid', '123456')).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await api.route(routes.createSession, { body: { ticket: 'forged', device: testDevice() } })).body).toMatchObject({ error: { code: 'invalid_ticket' } });
  });

  it('stores only a keyed hash of the code', async () => {
    const api = await start();
    const { body } = await requestCode();
    const code = await latestCode(api, phone);
    const row = await server.storage.db.selectFrom('verifications').selectAll().where('id', '=', body.verificationId).executeTakeFirstOrThrow();
    expect(row.code_hash).not.toContain(code);
    expect(JSON.stringify(row)).not.toContain(code);
  });
});
