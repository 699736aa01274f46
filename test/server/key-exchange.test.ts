import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { sql } from 'kysely';
import { routes } from '#common/contract/routes.js';
import type { DeviceBookKeyResponse, KeyDeviceView } from '#common/contract/key-exchange.js';
import type { AddressBookSnapshot } from '#common/contract/contacts.js';
import type { KeyExchangeAnsweredEvent, KeyExchangePendingEvent, ServerToClientEvents } from '#common/contract/socket-events.js';
import { generateBookKey, openDetails, sealDetails } from '#common/address-book/sealing.js';
import {
  createRecoveryKey,
  exportDevicePublicKey,
  generateDeviceKeyPair,
  unwrapBookKeyFromDevice,
  unwrapBookKeyWithRecovery,
  verificationCode,
  wrapBookKeyForDevice,
  wrapBookKeyForRecovery,
} from '#common/address-book/key-wrapping.js';
import type { WebCryptoKeyPair } from '#common/address-book/web-crypto.js';
import { serverBackends, startServerOn } from '../support/backend-server.js';
import { signIn, testDevice, type ApiClient, type TestServer } from '../support/test-server.js';

const backends = await serverBackends();
const alicePhone = '+8613800138000';
const bobPhone = '+8613900139000';
const secretName = 'Zhang Wenjing 张文静';
const secretNote = 'lives at 12 Quiet Lane';

type Device = { api: ApiClient; token: string; deviceId: string; userId: string; keys: WebCryptoKeyPair; publicKey: string };

async function signInDevice(server: TestServer, phone: string, name: string): Promise<Device> {
  const session = await signIn(server.api, phone, testDevice(name));
  const keys = await generateDeviceKeyPair();
  return { api: server.api.withToken(session.token), token: session.token, deviceId: session.device.id, userId: session.user.id, keys, publicKey: await exportDevicePublicKey(keys.publicKey) };
}

function nextEvent<E extends 'key-exchange:pending' | 'key-exchange:answered'>(server: TestServer, token: string, event: E): { connected: Promise<void>; received: Promise<unknown>; close(): void } {
  const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const received = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 5 s`)), 5000);
    const listener: ServerToClientEvents[E] = ((payload: unknown) => {
      clearTimeout(timer);
      resolve(payload);
    }) as ServerToClientEvents[E];
    (socket as unknown as { once(name: string, listener: unknown): void }).once(event, listener);
  });
  return { connected, received, close: () => socket.disconnect() };
}

/** Every text cell of every table: what a copy of the database would show. */
async function databaseText(server: TestServer): Promise<string> {
  // On PostgreSQL only the test's own schema (introspection lists every schema's tables).
  const own = server.storage.kind === 'postgres' ? (await sql<{ name: string }>`SELECT current_schema() AS name`.execute(server.storage.db)).rows[0]?.name : undefined;
  const tables = (await server.storage.db.introspection.getTables()).filter((table) => own === undefined || table.schema === own);
  expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['address_book_refs', 'device_keys', 'book_key_recovery']));
  const cells: string[] = [];
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table.name)}`.execute(server.storage.db);
    for (const row of rows.rows) cells.push(JSON.stringify(row));
  }
  return cells.join('\n');
}

describe.each(backends)('the address-book key between my devices on $name', ({ name, available }) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.skipIf(!available)('a new device is approved by an existing one and opens the names; the server holds no name in the clear', async () => {
    server = await startServerOn(name);
    const laptop = await signInDevice(server, alicePhone, 'Laptop');

    // The first device makes the book key, stores the recovery wrap, approves itself, and uploads sealed details.
    const bookKey = await generateBookKey();
    const recoveryKey = createRecoveryKey();
    expect((await laptop.api.route(routes.publishDeviceKey, { body: { publicKey: laptop.publicKey } })).body).toMatchObject({ state: 'pending', current: true, name: 'Laptop' });
    expect((await laptop.api.route(routes.saveRecovery, { body: { wrappedKey: await wrapBookKeyForRecovery(bookKey, recoveryKey, laptop.userId) } })).status).toBe(200);
    const self = await laptop.api.route<KeyDeviceView>(routes.approveDevice, {
      params: { deviceId: laptop.deviceId },
      body: { publicKey: laptop.publicKey, wrappedKey: await wrapBookKeyForDevice(bookKey, { privateKey: laptop.keys.privateKey, publicKey: laptop.publicKey }, laptop.publicKey) },
    });
    expect(self.body.state).toBe('approved');
    const sealed = await sealDetails(bookKey, 'r1-zhang', { name: secretName, phones: [{ e164: bobPhone, raw: '139 0013 9000' }], notes: secretNote, groups: ['Family'] });
    expect((await laptop.api.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'r1-zhang', phones: [bobPhone], sealed }] } })).status).toBe(200);

    // A second device asks: the laptop hears of it over its socket.
    const phone = await signInDevice(server, alicePhone, 'Phone');
    const laptopEvents = nextEvent(server, laptop.token, 'key-exchange:pending');
    const phoneEvents = nextEvent(server, phone.token, 'key-exchange:answered');
    await Promise.all([laptopEvents.connected, phoneEvents.connected]);
    await phone.api.route(routes.publishDeviceKey, { body: { publicKey: phone.publicKey } });
    expect((await laptopEvents.received) as KeyExchangePendingEvent).toEqual({ deviceId: phone.deviceId, name: 'Phone', platform: 'linux' });

    // Both screens derive the same code from the keys each one sees.
    const seenByLaptop = (await laptop.api.route<KeyDeviceView[]>(routes.keyDevices)).body.find((device) => device.state === 'pending');
    const seenByPhone = (await phone.api.route<KeyDeviceView[]>(routes.keyDevices)).body.filter((device) => device.state === 'approved');
    expect(seenByLaptop?.deviceId).toBe(phone.deviceId);
    expect(seenByPhone.map((device) => device.deviceId)).toEqual([laptop.deviceId]);
    expect(await verificationCode(laptop.publicKey, seenByLaptop?.publicKey ?? '')).toBe(await verificationCode(seenByPhone[0]?.publicKey ?? '', phone.publicKey));

    // The phone cannot fetch a key before approval, and is told when it is approved.
    expect((await phone.api.route(routes.deviceBookKey)).status).toBe(404);
    const wrapped = await wrapBookKeyForDevice(bookKey, { privateKey: laptop.keys.privateKey, publicKey: laptop.publicKey }, phone.publicKey);
    expect((await laptop.api.route(routes.approveDevice, { params: { deviceId: phone.deviceId }, body: { publicKey: phone.publicKey, wrappedKey: wrapped } })).status).toBe(200);
    expect((await phoneEvents.received) as KeyExchangeAnsweredEvent).toEqual({ deviceId: phone.deviceId, state: 'approved' });
    laptopEvents.close();
    phoneEvents.close();

    const answer = (await phone.api.route<DeviceBookKeyResponse>(routes.deviceBookKey)).body;
    expect(answer.fromDeviceId).toBe(laptop.deviceId);
    const received = await unwrapBookKeyFromDevice(answer.wrappedKey, { privateKey: phone.keys.privateKey, publicKey: phone.publicKey }, seenByPhone[0]?.publicKey ?? '');
    const book = (await phone.api.route<AddressBookSnapshot>(routes.addressBook)).body;
    const entry = book.entries.find((candidate) => candidate.ref === 'r1-zhang');
    expect(await openDetails(received, 'r1-zhang', entry?.sealed ?? '')).toMatchObject({ name: secretName, notes: secretNote, groups: ['Family'] });

    // A third device restores with the recovery key alone.
    const tablet = await signInDevice(server, alicePhone, 'Tablet');
    const recovery = (await tablet.api.route<{ wrappedKey: string }>(routes.recovery)).body;
    const restored = await unwrapBookKeyWithRecovery(recovery.wrappedKey, recoveryKey, tablet.userId);
    expect((await openDetails(restored, 'r1-zhang', sealed)).name).toBe(secretName);

    // What a copy of the database shows: ciphertext, public keys and hashes; no name, no note, no key.
    const dump = await databaseText(server);
    expect(dump).toContain('r1-zhang');
    for (const plain of ['Zhang', '张文静', 'Quiet Lane', 'Family', recoveryKey, recoveryKey.replace(/-/g, '')]) expect(dump).not.toContain(plain);
  });

  it.skipIf(!available)("refuses another user's devices, approvals from a device without the key, stale keys and a second book key", async () => {
    server = await startServerOn(name);
    const laptop = await signInDevice(server, alicePhone, 'Laptop');
    const phone = await signInDevice(server, alicePhone, 'Phone');
    const bob = await signInDevice(server, bobPhone, 'Bob laptop');
    const bookKey = await generateBookKey();
    await laptop.api.route(routes.publishDeviceKey, { body: { publicKey: laptop.publicKey } });
    await laptop.api.route(routes.approveDevice, { params: { deviceId: laptop.deviceId }, body: { publicKey: laptop.publicKey, wrappedKey: await wrapBookKeyForDevice(bookKey, { privateKey: laptop.keys.privateKey, publicKey: laptop.publicKey }, laptop.publicKey) } });
    await phone.api.route(routes.publishDeviceKey, { body: { publicKey: phone.publicKey } });
    await bob.api.route(routes.publishDeviceKey, { body: { publicKey: bob.publicKey } });
    const wrapForPhone = await wrapBookKeyForDevice(bookKey, { privateKey: laptop.keys.privateKey, publicKey: laptop.publicKey }, phone.publicKey);

    // Bob sees none of Alice's devices and can neither approve, reject nor read them.
    expect((await bob.api.route<KeyDeviceView[]>(routes.keyDevices)).body.map((device) => device.deviceId)).toEqual([bob.deviceId]);
    expect(await bob.api.route(routes.approveDevice, { params: { deviceId: phone.deviceId }, body: { publicKey: phone.publicKey, wrappedKey: wrapForPhone } })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await bob.api.route(routes.rejectDevice, { params: { deviceId: laptop.deviceId } })).status).toBe(404);
    // Nor can Alice's laptop approve Bob's device.
    expect((await laptop.api.route(routes.approveDevice, { params: { deviceId: bob.deviceId }, body: { publicKey: bob.publicKey, wrappedKey: wrapForPhone } })).status).toBe(404);

    // A device without the key cannot approve another; an approval for a key replaced since is refused.
    const tablet = await signInDevice(server, alicePhone, 'Tablet');
    await tablet.api.route(routes.publishDeviceKey, { body: { publicKey: tablet.publicKey } });
    expect(await phone.api.route(routes.approveDevice, { params: { deviceId: tablet.deviceId }, body: { publicKey: tablet.publicKey, wrappedKey: wrapForPhone } })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const swapped = await exportDevicePublicKey((await generateDeviceKeyPair()).publicKey);
    await phone.api.route(routes.publishDeviceKey, { body: { publicKey: swapped } });
    expect(await laptop.api.route(routes.approveDevice, { params: { deviceId: phone.deviceId }, body: { publicKey: phone.publicKey, wrappedKey: wrapForPhone } })).toMatchObject({ status: 409, body: { error: { code: 'key_changed' } } });

    // A rejected device holds nothing; a malformed key is a 400, never a 500.
    expect((await laptop.api.route(routes.rejectDevice, { params: { deviceId: tablet.deviceId } })).status).toBe(204);
    expect((await laptop.api.route<KeyDeviceView[]>(routes.keyDevices)).body.find((device) => device.deviceId === tablet.deviceId)?.state).toBe('rejected');
    expect((await tablet.api.route(routes.deviceBookKey)).status).toBe(404);
    expect((await tablet.api.route(routes.publishDeviceKey, { body: { publicKey: 'not-a-key' } })).status).toBe(400);
    expect((await tablet.api.route(routes.approveDevice, { params: { deviceId: tablet.deviceId }, body: { publicKey: tablet.publicKey, wrappedKey: 'x'.repeat(5000) } })).status).toBe(400);

    // Recovery: Bob's is separate; a second book key is refused; only a key holder replaces it.
    const wrappedForRecovery = await wrapBookKeyForRecovery(bookKey, createRecoveryKey(), laptop.userId);
    expect((await laptop.api.route(routes.saveRecovery, { body: { wrappedKey: wrappedForRecovery } })).status).toBe(200);
    expect((await bob.api.route(routes.recovery)).status).toBe(404);
    expect(await tablet.api.route(routes.saveRecovery, { body: { wrappedKey: wrappedForRecovery } })).toMatchObject({ status: 409, body: { error: { code: 'recovery_exists' } } });
    expect(await tablet.api.route(routes.saveRecovery, { body: { wrappedKey: wrappedForRecovery, replace: true } })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await laptop.api.route(routes.saveRecovery, { body: { wrappedKey: wrappedForRecovery, replace: true } })).status).toBe(200);
  });

  it.skipIf(!available)('takes the wrapped key back from a device signed out from another one', async () => {
    server = await startServerOn(name);
    const laptop = await signInDevice(server, alicePhone, 'Laptop');
    const phone = await signInDevice(server, alicePhone, 'Phone');
    const bookKey = await generateBookKey();
    for (const device of [laptop, phone]) {
      await device.api.route(routes.publishDeviceKey, { body: { publicKey: device.publicKey } });
      const wrappedKey = await wrapBookKeyForDevice(bookKey, { privateKey: laptop.keys.privateKey, publicKey: laptop.publicKey }, device.publicKey);
      expect((await laptop.api.route(routes.approveDevice, { params: { deviceId: device.deviceId }, body: { publicKey: device.publicKey, wrappedKey } })).status).toBe(200);
    }
    expect((await laptop.api.route(routes.signOutDevice, { params: { deviceId: phone.deviceId } })).status).toBe(204);
    await expect.poll(async () => (await laptop.api.route<KeyDeviceView[]>(routes.keyDevices)).body.find((device) => device.deviceId === phone.deviceId)?.state).toBe('rejected');
    const again = await signIn(server.api, alicePhone, { id: phone.deviceId, name: 'Phone', platform: 'linux' });
    expect((await server.api.withToken(again.token).route(routes.deviceBookKey)).status).toBe(404);
    expect((await laptop.api.route(routes.deviceBookKey)).status).toBe(200);
  });

  it.skipIf(!available)('lets exactly one of two devices racing to create the book key win', async () => {
    server = await startServerOn(name);
    // Signed in one after the other (each sign-in reads the newest SMS code); only the writes race.
    const devices: Device[] = [];
    for (const device of ['One', 'Two', 'Three', 'Four']) devices.push(await signInDevice(server, alicePhone, device));
    const answers = await Promise.all(
      devices.map(async (device) => (await device.api.route(routes.saveRecovery, { body: { wrappedKey: await wrapBookKeyForRecovery(await generateBookKey(), createRecoveryKey(), device.userId) } })).status),
    );
    expect(answers.sort()).toEqual([200, 409, 409, 409]);
  });
});
