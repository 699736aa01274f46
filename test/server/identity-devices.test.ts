import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { routes } from '#common/contract/routes.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import type { ClientSocket } from '../support/sockets.js';
import { ManualClock, signIn, testDevice, type TestServer } from '../support/test-server.js';

/** Device blocking, device-id reuse and password changes, attacked over real HTTP and sockets (issue 10, item 15). */
const backends = await serverBackends();
const owner = '+8613800138000';
const password = 'correct horse battery';

type DeviceRow = { id: string; name: string; blocked: boolean; flagged: boolean; signedIn: boolean; current: boolean };

/** A signed-in socket that remembers how its session ended. */
async function socketOf(url: string, token: string): Promise<{ socket: ClientSocket; ended: Promise<string> }> {
  const socket: ClientSocket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const ended = new Promise<string>((resolve) => socket.on('session:ended', ({ reason }) => resolve(reason)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, ended };
}

function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms))]);
}

describe.each(backends)('devices and sessions on $name', ({ name, available }) => {
  let server: TestServer;
  let clock: ManualClock;
  const sockets: ClientSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await server?.close();
  });

  async function start() {
    clock = new ManualClock();
    server = await startServerOn(name, { clock });
  }

  async function passwordLogin(device = testDevice()) {
    return server.api.route<{ token: string }>(routes.passwordSession, { body: { phone: owner, password, device } });
  }

  it.skipIf(!available)('a blocked device cannot come back under a new device id with the password it used, and new devices are flagged', async () => {
    await start();
    const laptop = await signIn(server.api, owner, testDevice('Laptop'));
    const me = server.api.withToken(laptop.token);
    expect((await me.route(routes.setPassword, { body: { password } })).status).toBe(204);

    // Someone who learnt the password signs in on their own machine.
    const stolen = await passwordLogin(testDevice('Stolen'));
    expect(stolen.status).toBe(201);
    const thief = await socketOf(server.url, stolen.body.token);
    sockets.push(thief.socket);
    const devices = (await me.route<DeviceRow[]>(routes.devices)).body;
    const stolenDevice = devices.find((device) => device.name === 'Stolen');
    expect(stolenDevice).toMatchObject({ blocked: false, signedIn: true });

    expect((await me.route(routes.updateDevice, { params: { deviceId: String(stolenDevice?.id) }, body: { blocked: true } })).status).toBe(204);
    expect(await within(thief.ended)).toBe('device_blocked');
    expect((await server.api.withToken(stolen.body.token).route(routes.me)).status).toBe(401);

    // The thief invents a new device id: the password it used no longer works.
    const again = await passwordLogin(testDevice('Totally new'));
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect((await me.route(routes.me)).body).toMatchObject({ hasPassword: false });

    // Whoever signs in next on a device never seen before is flagged for the owner until recognised.
    clock.advance(11 * 60_000);
    const newcomer = await signIn(server.api, owner, testDevice('Newcomer'));
    const listed = (await me.route<DeviceRow[]>(routes.devices)).body;
    expect(listed.find((device) => device.name === 'Newcomer')).toMatchObject({ flagged: true, blocked: false });
    expect(listed.find((device) => device.name === 'Laptop')).toMatchObject({ flagged: false, current: true });
    expect((await me.route(routes.updateDevice, { params: { deviceId: newcomer.device.id }, body: { trusted: true } })).status).toBe(204);
    expect((await me.route<DeviceRow[]>(routes.devices)).body.find((device) => device.name === 'Newcomer')?.flagged).toBe(false);
    expect((await me.route(routes.updateDevice, { params: { deviceId: newcomer.device.id }, body: {} })).body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it.skipIf(!available)('a second login under the same device id replaces the first session instead of merging with it', async () => {
    await start();
    const device = testDevice('Laptop');
    const first = await signIn(server.api, owner, device);
    const firstSocket = await socketOf(server.url, first.token);
    sockets.push(firstSocket.socket);
    clock.advance(11 * 60_000);
    const second = await signIn(server.api, owner, device);

    expect(await within(firstSocket.ended)).toBe('replaced');
    expect((await server.api.withToken(first.token).route(routes.me)).status).toBe(401);
    const me = server.api.withToken(second.token);
    expect((await me.route(routes.me)).status).toBe(200);
    expect((await me.route<DeviceRow[]>(routes.devices)).body).toEqual([expect.objectContaining({ id: device.id, current: true, signedIn: true })]);
    const logins = (await me.route<{ logoutAt: string | null }[]>(routes.logins)).body;
    expect(logins.map((login) => login.logoutAt === null)).toEqual([true, false]);
  });

  it.skipIf(!available)('parallel logins under one device id leave exactly one live session', async () => {
    await start();
    const first = await signIn(server.api, owner, testDevice('Laptop'));
    expect((await server.api.withToken(first.token).route(routes.setPassword, { body: { password } })).status).toBe(204);
    const device = testDevice('Shared id');
    const logins = await Promise.all(Array.from({ length: 5 }, () => passwordLogin(device)));
    expect(logins.map((login) => login.status)).toEqual([201, 201, 201, 201, 201]);
    const alive = await Promise.all(logins.map(async (login) => (await server.api.withToken(login.body.token).route(routes.me)).status));
    expect(alive.filter((status) => status === 200)).toHaveLength(1);
    const devices = (await server.api.withToken(first.token).route<DeviceRow[]>(routes.devices)).body;
    expect(devices.find((row) => row.id === device.id)).toMatchObject({ signedIn: true });
  });

  it.skipIf(!available)('changing the password signs the other sessions out (their sockets hear it) unless asked not to', async () => {
    await start();
    const laptop = await signIn(server.api, owner, testDevice('Laptop'));
    clock.advance(11 * 60_000);
    const desktop = await signIn(server.api, owner, testDevice('Desktop'));
    const desktopSocket = await socketOf(server.url, desktop.token);
    const laptopSocket = await socketOf(server.url, laptop.token);
    sockets.push(desktopSocket.socket, laptopSocket.socket);

    const me = server.api.withToken(laptop.token);
    expect((await me.route(routes.setPassword, { body: { password } })).status).toBe(204);
    expect(await within(desktopSocket.ended)).toBe('password_changed');
    expect((await server.api.withToken(desktop.token).route(routes.me)).status).toBe(401);
    expect((await me.route(routes.me)).status).toBe(200);
    expect(laptopSocket.socket.connected).toBe(true);

    const phone = await passwordLogin(testDevice('Phone'));
    expect(phone.status).toBe(201);
    expect((await me.route(routes.setPassword, { body: { password: 'another good password', signOutOthers: false } })).status).toBe(204);
    expect((await server.api.withToken(phone.body.token).route(routes.me)).status).toBe(200);
  });
});
