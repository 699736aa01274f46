import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { ManualClock, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

type Book = { version: number; matches: { ref: string; userId: string; phone: string }[] };

const alice = '+8613800138000';
const bob = '+8613900139000';
const carol = '+8613700137000';
const stranger = '+8613600136000'; // never signs up

describe('address book and discovery over HTTP', () => {
  let server: TestServer;
  const clock = new ManualClock();
  afterEach(async () => {
    await server?.close();
  });

  it('two users discover each other; mutual once both have each other', async () => {
    server = await startTestServer({ clock });
    const a = await signIn(server.api, alice);
    const b = await signIn(server.api, bob);
    const aApi = server.api.withToken(a.token);
    const bApi = server.api.withToken(b.token);

    const upload = await aApi.route<Book>(routes.replaceAddressBook, { body: {
      entries: [
        { ref: 'r-bob', phones: [bob] },
        { ref: 'r-stranger', phones: [stranger] },
      ],
    } });
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({ version: 1, matches: [{ ref: 'r-bob', userId: b.user.id, phone: bob }] });
    expect((await aApi.route(routes.contacts)).body).toEqual([{ userId: b.user.id, phone: bob, mutual: false, refs: ['r-bob'], blocked: false, identities: {} }]);

    await bApi.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'x1', phones: [alice] }] } });
    expect((await aApi.route<{ mutual: boolean }[]>(routes.contacts)).body[0]?.mutual).toBe(true);
    expect((await bApi.route<{ userId: string; mutual: boolean }[]>(routes.contacts)).body).toEqual([
      { userId: a.user.id, phone: alice, mutual: true, refs: ['x1'], blocked: false, identities: {} },
    ]);
  });

  it('applies incremental changes with a version, and 409 on a stale one (M9)', async () => {
    server = await startTestServer({ clock });
    const a = await signIn(server.api, alice);
    const b = await signIn(server.api, bob);
    const c = await signIn(server.api, carol);
    const aApi = server.api.withToken(a.token);
    const first = await aApi.route<Book>(routes.patchAddressBook, { body: { baseVersion: 0, add: [{ ref: 'r-bob', phones: [bob] }] } });
    expect(first.body).toEqual({ version: 1, matches: [{ ref: 'r-bob', userId: b.user.id, phone: bob }] });
    const second = await aApi.route<Book>(routes.patchAddressBook, { body: { baseVersion: 1, add: [{ ref: 'r-carol', phones: [carol, stranger] }], remove: ['r-bob'] } });
    expect(second.body).toEqual({ version: 2, matches: [{ ref: 'r-carol', userId: c.user.id, phone: carol }] });
    const stale = await aApi.route(routes.patchAddressBook, { body: { baseVersion: 1, add: [{ ref: 'r-bob', phones: [bob] }] } });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'version_conflict', currentVersion: 2 } } });
    const changes = await aApi.route(routes.addressBookChanges, { query: { since: '1' } });
    expect(changes.body).toEqual({
      version: 2,
      complete: true,
      changes: [
        { version: 2, op: 'remove', ref: 'r-bob' },
        { version: 2, op: 'add', ref: 'r-carol' },
      ],
    });
    await aApi.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'only', phones: [bob] }] } });
    expect((await aApi.route(routes.addressBookChanges, { query: { since: '2' } })).body).toEqual({ version: 3, complete: false, changes: [] });
    expect((await aApi.route(routes.addressBookChanges, { query: { since: '3' } })).body).toEqual({ version: 3, complete: true, changes: [] });
    expect((await aApi.route(routes.addressBook)).body).toEqual({ version: 3, entries: [{ ref: 'only' }], matches: [{ ref: 'only', userId: b.user.id, phone: bob }] });
  });

  it('rejects numbers that are not E.164 and says which entry', async () => {
    server = await startTestServer({ clock });
    const a = await signIn(server.api, alice);
    const answer = await server.api.withToken(a.token).route(routes.replaceAddressBook, { body: { entries: [{ ref: 'ok', phones: [bob] }, { ref: 'bad', phones: ['13900139000'] }] } });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', issues: [{ path: 'entries.1.phones.0' }] } } });
    expect((await server.api.withToken(a.token).route<Book>(routes.addressBook)).body.version).toBe(0);
  });

  it('holds back a sweep of numbers: a daily quota of new numbers after the first upload', async () => {
    server = await startTestServer({ clock });
    server.config.contactLimits.newNumbersPerUserPerDay = 50;
    const a = await signIn(server.api, alice);
    const api = server.api.withToken(a.token);
    const sweep = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ ref: `s${from + i}`, phones: [`+861380013${String(from + i).padStart(4, '0')}`] }));
    // The first upload brings a whole address book.
    expect((await api.route<Book>(routes.replaceAddressBook, { body: { entries: sweep(0, 1000) } })).status).toBe(200);
    const tooMany = await api.route(routes.patchAddressBook, { body: { baseVersion: 1, add: sweep(1000, 51) } });
    expect(tooMany).toMatchObject({ status: 429, body: { error: { code: 'too_many_requests' } } });
    expect((await api.route<Book>(routes.patchAddressBook, { body: { baseVersion: 1, add: sweep(1000, 50) } })).body.version).toBe(2);
    expect((await api.route(routes.patchAddressBook, { body: { baseVersion: 2, add: sweep(1050, 1) } })).status).toBe(429);
    // Numbers already in the book cost nothing.
    expect((await api.route<Book>(routes.replaceAddressBook, { body: { entries: sweep(0, 1050) } })).status).toBe(200);
    clock.advance(24 * 60 * 60_000);
    expect((await api.route<Book>(routes.patchAddressBook, { body: { baseVersion: 3, add: sweep(1050, 50) } })).status).toBe(200);
  });

  it('holds back a sweep from one address across accounts', async () => {
    server = await startTestServer({ clock });
    server.config.contactLimits.newNumbersPerIpPerDay = 100;
    const a = await signIn(server.api, alice);
    const b = await signIn(server.api, bob);
    const entries = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({ ref: `${prefix}${i}`, phones: [`+861380014${String(i).padStart(4, '0')}`] }));
    expect((await server.api.withToken(a.token).route(routes.replaceAddressBook, { body: { entries: entries('a', 80) } })).status).toBe(200);
    expect((await server.api.withToken(b.token).route(routes.replaceAddressBook, { body: { entries: entries('b', 30) } })).status).toBe(429);
  });

  it('tells another device of the same user in real time, and it pulls the change', async () => {
    server = await startTestServer({ clock });
    const laptop = await signIn(server.api, alice, testDevice('Laptop'));
    const desktop = await signIn(server.api, alice, testDevice('Desktop'));
    const socket = connect(server.url, { auth: { token: desktop.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const ownSocket = connect(server.url, { auth: { token: laptop.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await Promise.all([socket, ownSocket].map((s) => new Promise<void>((resolve) => s.on('connect', () => resolve()))));
      const ownNotices: unknown[] = [];
      ownSocket.on('address-book:changed', (event) => ownNotices.push(event));
      const notice = new Promise<{ version: number }>((resolve) => socket.on('address-book:changed', resolve));
      await server.api.withToken(laptop.token).route(routes.patchAddressBook, { body: { baseVersion: 0, add: [{ ref: 'r1', phones: [bob], sealed: 'b64:c2VhbGVk' }] } });
      expect(await notice).toEqual({ version: 1 });
      const pulled = await server.api.withToken(desktop.token).route(routes.addressBookChanges, { query: { since: '0' } });
      expect(pulled.body).toEqual({ version: 1, complete: true, changes: [{ version: 1, op: 'add', ref: 'r1', sealed: 'b64:c2VhbGVk' }] });
      expect(ownNotices).toEqual([]);
    } finally {
      socket.disconnect();
      ownSocket.disconnect();
    }
  });

  it('keeps no plaintext number of a non-user and no name in the database file (M10)', async () => {
    server = await startTestServer({ clock });
    const a = await signIn(server.api, alice);
    const nonUsers = ['+8613600136000', '+8618612345678', '+447700900123'];
    await server.api.withToken(a.token).route(routes.replaceAddressBook, { body: {
      entries: nonUsers.map((phone, i) => ({ ref: `ref-${i}`, phones: [phone] })),
    } });
    await server.close();
    const files = fs.readdirSync(server.dataDir).filter((name) => name.startsWith('switchboard.sqlite'));
    const bytes = Buffer.concat(files.map((name) => fs.readFileSync(path.join(server.dataDir, name))));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(alice))).toBe(true); // users' own numbers are kept, to send them codes
    for (const phone of nonUsers) {
      expect(bytes.includes(Buffer.from(phone))).toBe(false);
      expect(bytes.includes(Buffer.from(phone.slice(1)))).toBe(false);
    }
  });
});
