import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, signIn, startTestServer, testDevice, verifyNumber, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

/** Sessions, devices (M2), passwords (M3), numbers (M4, M5), user type and login log (M6) over real HTTP. */
describe('sessions and accounts', () => {
  let server: TestServer;
  const clock = new ManualClock();

  afterEach(async () => {
    await server?.close();
  });

  it('registers on first use, logs in again as the same user, and serves /v1/me', async () => {
    server = await startTestServer({ clock });
    const first = await signIn(server.api, '+8613800138000');
    expect(first.created).toBe(true);
    expect(first.user).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), phone: '+8613800138000' });
    clock.advance(11 * 60_000);
    const second = await signIn(server.api, '+8613800138000');
    expect(second.created).toBe(false);
    expect(second.user.id).toBe(first.user.id);
    const me = await server.api.withToken(second.token).route(routes.me);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: first.user.id,
      phone: '+8613800138000',
      phones: [{ phone: '+8613800138000', primary: true }],
      type: 'normal',
      hasPassword: false,
    });
  });

  it('refuses requests without a valid token and ends a session on logout', async () => {
    server = await startTestServer({ clock });
    expect((await server.api.route(routes.me)).body).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await server.api.withToken('nonsense').route(routes.me)).status).toBe(401);
    const { token } = await signIn(server.api, '+8613800138000');
    const api = server.api.withToken(token);
    expect((await api.route(routes.endSession)).status).toBe(204);
    expect((await api.route(routes.me)).status).toBe(401);
  });

  it('expires sessions', async () => {
    server = await startTestServer({ clock, limits: { sessionTtlMs: 60_000 } });
    const { token } = await signIn(server.api, '+8613800138000');
    clock.advance(61_000);
    expect((await server.api.withToken(token).route(routes.me)).status).toBe(401);
  });

  it('logs in with a static password (M3) and limits failures like codes', async () => {
    server = await startTestServer({ clock });
    const { token } = await signIn(server.api, '+8613800138000');
    const api = server.api.withToken(token);
    expect((await api.route(routes.setPassword, { body: { password: 'short' } })).body).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await api.route(routes.setPassword, { body: { password: 'correct horse battery' } })).status).toBe(204);
    expect((await api.route(routes.me)).body).toMatchObject({ hasPassword: true });
    const hash = await server.storage.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow();
    expect(hash.password_hash).toMatch(/^scrypt\$/);
    expect(hash.password_hash).not.toContain('correct horse');

    const device = testDevice('Office desktop');
    const ok = await server.api.route(routes.passwordSession, { body: { phone: '+8613800138000', password: 'correct horse battery', device } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ token: expect.any(String), user: { phone: '+8613800138000' }, created: false });
    const national = await server.api.route(routes.passwordSession, { body: { phone: '13800138000', region: 'CN', password: 'correct horse battery', device } });
    expect(national.status).toBe(201);

    const bad = await server.api.route(routes.passwordSession, { body: { phone: '+8613800138000', password: 'wrong', device } });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    const unknown = await server.api.route(routes.passwordSession, { body: { phone: '+8613900139000', password: 'whatever1', device } });
    expect(unknown.body).toEqual(bad.body);

    for (let i = 1; i < 10; i += 1) {
      clock.advance(5 * 60_000);
      expect((await server.api.route(routes.passwordSession, { body: { phone: '+8613800138000', password: 'wrong', device } })).status).toBe(401);
    }
    const slowed = await server.api.route(routes.passwordSession, { body: { phone: '+8613800138000', password: 'correct horse battery', device } });
    expect(slowed.status).toBe(429);
    expect(slowed.body).toMatchObject({ error: { code: 'too_many_attempts' } });
    clock.advance(5 * 60_000);
    expect((await server.api.route(routes.passwordSession, { body: { phone: '+8613800138000', password: 'correct horse battery', device } })).status).toBe(201);
  });

  it('lists devices, signs one out at once, and blocks a device from signing in (M2)', async () => {
    server = await startTestServer({ clock });
    const laptop = await signIn(server.api, '+8613800138000', testDevice('Laptop'));
    clock.advance(11 * 60_000);
    const desktop = await signIn(server.api, '+8613800138000', testDevice('Desktop'));
    const api = server.api.withToken(laptop.token);
    const devices = await api.route<{ id: string; name: string; current: boolean; blocked: boolean; signedIn: boolean }[]>(routes.devices);
    expect(devices.body.map((d) => [d.name, d.current, d.signedIn]).sort()).toEqual([
      ['Desktop', false, true],
      ['Laptop', true, true],
    ]);
    expect((await api.route(routes.signOutDevice, { params: { deviceId: desktop.device.id } })).status).toBe(204);
    expect((await server.api.withToken(desktop.token).route(routes.me)).status).toBe(401);
    expect((await api.route(routes.signOutDevice, { params: { deviceId: 'unknown-device' } })).body).toMatchObject({ error: { code: 'not_found' } });

    clock.advance(11 * 60_000);
    const again = await signIn(server.api, '+8613800138000', desktop.device);
    expect((await api.route(routes.updateDevice, { params: { deviceId: desktop.device.id }, body: { blocked: true } })).status).toBe(204);
    expect((await server.api.withToken(again.token).route(routes.me)).status).toBe(401);
    clock.advance(11 * 60_000);
    await expect(signIn(server.api, '+8613800138000', desktop.device)).rejects.toThrow(/403.*device_blocked/);
    expect((await api.route(routes.updateDevice, { params: { deviceId: desktop.device.id }, body: { blocked: false } })).status).toBe(204);
    clock.advance(11 * 60_000);
    expect((await signIn(server.api, '+8613800138000', desktop.device)).user.id).toBe(laptop.user.id);
  });

  it('keeps a login log with device, platform, IP, login and logout times (M6)', async () => {
    server = await startTestServer({ clock });
    const first = await signIn(server.api, '+8613800138000', { id: 'pc-1', name: 'Home PC', platform: 'win32' });
    clock.advance(60_000);
    await server.api.withToken(first.token).route(routes.endSession);
    clock.advance(11 * 60_000);
    const second = await signIn(server.api, '+8613800138000', { id: 'mac-1', name: 'MacBook', platform: 'darwin' });
    const log = await server.api.withToken(second.token).route<Record<string, unknown>[]>(routes.logins);
    expect(log.body).toEqual([
      { id: expect.any(String), deviceId: 'mac-1', deviceName: 'MacBook', platform: 'darwin', ip: expect.stringMatching(/127\.0\.0\.1/), method: 'sms_code', loginAt: expect.any(String), logoutAt: null },
      { id: expect.any(String), deviceId: 'pc-1', deviceName: 'Home PC', platform: 'win32', ip: expect.stringMatching(/127\.0\.0\.1/), method: 'sms_code', loginAt: expect.any(String), logoutAt: expect.any(String) },
    ]);
    const pc = log.body[1] as { loginAt: string; logoutAt: string };
    expect(Date.parse(pc.logoutAt) - Date.parse(pc.loginAt)).toBe(60_000);
    expect((await server.api.withToken(second.token).route(routes.logins, { query: { limit: '1' } })).body).toHaveLength(1);
    expect((await server.api.withToken(second.token).route(routes.logins, { query: { limit: 'abc' } })).body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('keeps the user id across a change of number and frees the old one (M4)', async () => {
    server = await startTestServer({ clock });
    const me = await signIn(server.api, '+8613800138000');
    const api = server.api.withToken(me.token);
    const ticket = await verifyNumber(server.api, '+8613900139000');
    const changed = await api.route(routes.changePhone, { body: { ticket } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: me.user.id, phone: '+8613900139000', phones: [{ phone: '+8613900139000', primary: true }] });
    // The old number is free: signing in with it creates a new user.
    clock.advance(11 * 60_000);
    const newcomer = await signIn(server.api, '+8613800138000');
    expect(newcomer.created).toBe(true);
    expect(newcomer.user.id).not.toBe(me.user.id);
    clock.advance(11 * 60_000);
    expect((await signIn(server.api, '+8613900139000')).user.id).toBe(me.user.id);
    expect((await api.route(routes.changePhone, { body: { ticket } })).body).toMatchObject({ error: { code: 'invalid_ticket' } });
  });

  it('binds several numbers, each verified, and logs in with any of them (M5)', async () => {
    server = await startTestServer({ clock });
    const me = await signIn(server.api, '+8613800138000');
    const other = await signIn(server.api, '+8613700137000');
    const api = server.api.withToken(me.token);
    const added = await api.route(routes.addPhone, { body: { ticket: await verifyNumber(server.api, '+8613900139000') } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ phones: [{ phone: '+8613800138000', primary: true }, { phone: '+8613900139000', primary: false }] });
    clock.advance(11 * 60_000);
    expect((await signIn(server.api, '+8613900139000')).user).toEqual({ id: me.user.id, phone: '+8613800138000' });
    const taken = await api.route(routes.addPhone, { body: { ticket: await verifyNumber(server.api, '+8613700137000') } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'phone_in_use' } });
    expect(other.user.id).not.toBe(me.user.id);
    expect((await api.route(routes.removePhone, { params: { phone: '+8613800138000' } })).body).toMatchObject({ error: { code: 'cannot_remove_primary' } });
    expect((await api.route(routes.removePhone, { params: { phone: '+8613500135000' } })).body).toMatchObject({ error: { code: 'phone_not_found' } });
    expect((await api.route(routes.removePhone, { params: { phone: '+8613900139000' } })).status).toBe(204);
    expect((await api.route(routes.me)).body).toMatchObject({ phones: [{ phone: '+8613800138000' }] });
  });

  it('lets an operator set the user type (M6), and hides the route without an admin token', async () => {
    const adminToken = 'admin-token-admin-token-admin-token-0123';
    server = await startTestServer({ clock, env: { SWITCHBOARD_ADMIN_TOKEN: adminToken } });
    const me = await signIn(server.api, '+8613800138000');
    expect((await server.api.route(routes.setUserType, { params: { userId: me.user.id }, body: { type: 'vip' } })).status).toBe(401);
    expect((await server.api.withToken(adminToken).route(routes.setUserType, { params: { userId: me.user.id }, body: { type: 'gold' } })).status).toBe(400);
    expect((await server.api.withToken(adminToken).route(routes.setUserType, { params: { userId: me.user.id }, body: { type: 'vip' } })).status).toBe(204);
    expect((await server.api.withToken(me.token).route(routes.me)).body).toMatchObject({ type: 'vip' });
    await server.close();
    server = await startTestServer({ clock });
    expect((await server.api.route(routes.setUserType, { params: { userId: me.user.id }, body: { type: 'vip' } })).status).toBe(404);
  });
});
