import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressBookMatch } from '#common/contract/contacts.js';
import type { TypingEvent } from '#common/contract/socket-events.js';
import { routes } from '#common/contract/routes.js';
import { ManualClock, createPostgresSchema, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';
import { postgresAvailable, postgresUrl } from '../support/services.js';
import { PresenceClient, sleep } from '../support/sockets.js';

let counter = 0;
const nextPhone = () => `+86137${String(30_000_000 + ++counter).slice(-8)}`;
type Book = { version: number; matches: AddressBookMatch[] };

/** Issue 10 items 7, 8 and 17, each performed as the attack over real HTTP and socket.io. */
describe('what presence, discovery and typing give away', () => {
  let server: TestServer;
  const sockets: PresenceClient[] = [];
  beforeAll(async () => {
    server = await startTestServer({ env: { PRESENCE_GRACE_MS: '300' }, limits: { sendsPerIpPerHour: 10_000, checksPerIpPerHour: 10_000 } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server.close();
  });

  async function person(phone = nextPhone()) {
    const session = await signIn(server.api, phone, testDevice(phone));
    const api = server.api.withToken(session.token);
    const socket = () => {
      const client = new PresenceClient(server.url, session.token);
      sockets.push(client);
      return client;
    };
    return { ...session, phone, api, socket };
  }

  /**
   * The attacker holds 8 candidate numbers and wants to know which belongs to a user who is not
   * discoverable. Each round uploads half of the remaining candidates and watches for a sign of that
   * user (a match or any presence of a user nobody matched); 3 rounds single out 1 of 8.
   */
  async function bisect(attacker: Awaited<ReturnType<typeof person>>, candidates: string[]) {
    const watcher = attacker.socket();
    await watcher.connected();
    let remaining = candidates;
    let leaks = 0;
    const everMatched = new Set<string>();
    for (let round = 0; round < 3; round += 1) {
      const half = remaining.slice(0, remaining.length / 2);
      const answer = await attacker.api.route<Book>(routes.replaceAddressBook, { body: { entries: half.map((phone, index) => ({ ref: `c${index}`, phones: [phone] })) } });
      expect(answer.status).toBe(200);
      await sleep(400);
      const matched = new Set(answer.body.matches.map((match) => match.userId));
      for (const id of matched) everMatched.add(id);
      // Presence of someone discovery never named is a signal discovery was meant to withhold.
      const unexplained = watcher.received.filter((event) => !everMatched.has(event.userId) && event.userId !== attacker.user.id);
      if (unexplained.length > 0) leaks += 1;
      const signal = unexplained.some((event) => event.status !== 'offline') || matched.size > 0;
      remaining = signal ? half : remaining.slice(remaining.length / 2);
      watcher.received.length = 0;
    }
    return { guess: remaining[0], leaks };
  }

  it('item 7: presence never reveals a hidden user that discovery does not match (bisection)', async () => {
    const attacker = await person();
    const hidden = await person();
    await hidden.api.route(routes.updatePrivacy, { body: { discoverable: false, activityVisibleTo: 'contacts' } });
    // The hidden user knows the attacker (a colleague), so they are "mutual" once the attacker has the number.
    await hidden.api.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'a', phones: [attacker.phone] }] } });
    const hiddenSocket = hidden.socket();
    await hiddenSocket.connected();
    expect(await hiddenSocket.set({ status: 'online', apps: ['slack'] })).toEqual({ ok: true });
    const candidates = [nextPhone(), nextPhone(), nextPhone(), hidden.phone, nextPhone(), nextPhone(), nextPhone(), nextPhone()];
    const { leaks } = await bisect(attacker, candidates);
    // On the old code the hidden user's presence flowed while discovery hid them: 3 leaking rounds.
    expect(leaks).toBe(0);
  });

  it('item 7: a hidden user who does not have the attacker in their book cannot be singled out', async () => {
    const attacker = await person();
    const hidden = await person();
    await hidden.api.route(routes.updatePrivacy, { body: { discoverable: false, activityVisibleTo: 'contacts' } });
    await hidden.api.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'x', phones: [nextPhone()] }] } });
    const hiddenSocket = hidden.socket();
    await hiddenSocket.connected();
    await hiddenSocket.set({ status: 'online', apps: ['slack'] });
    const candidates = [nextPhone(), nextPhone(), nextPhone(), nextPhone(), nextPhone(), hidden.phone, nextPhone(), nextPhone()];
    const { guess, leaks } = await bisect(attacker, candidates);
    expect(leaks).toBe(0);
    expect(guess).not.toBe(hidden.phone);
    expect((await attacker.api.route<unknown[]>(routes.contacts)).body).toEqual([]);
  });

  it('item 8: nothing of an invisible user reaches a viewer (status text, apps, typing)', async () => {
    const viewer = await person();
    const subject = await person();
    await subject.api.route(routes.replaceAddressBook, { body: { entries: [{ ref: 'v', phones: [viewer.phone] }] } });
    await viewer.api.route(routes.replaceAddressBook, { body: { entries: [{ ref: 's', phones: [subject.phone] }] } });
    const viewerSocket = viewer.socket();
    const subjectSocket = subject.socket();
    await Promise.all([viewerSocket.connected(), subjectSocket.connected()]);
    expect(await viewerSocket.socket.timeout(5000).emitWithAck('presence:scope', { mode: 'conversations', users: [subject.user.id] })).toEqual({ ok: true });
    await subjectSocket.set({ status: 'online', text: 'at my desk', apps: ['slack'] });
    await viewerSocket.waitFor((event) => event.userId === subject.user.id && event.text === 'at my desk');
    viewerSocket.received.length = 0;
    await subjectSocket.set({ status: 'invisible' });
    const offline = await viewerSocket.waitFor((event) => event.userId === subject.user.id && event.status === 'offline');
    expect(offline).toMatchObject({ text: '', apps: [] });
    viewerSocket.received.length = 0;
    const typing: TypingEvent[] = [];
    viewerSocket.socket.on('typing', (event) => typing.push(event));
    expect(await subjectSocket.set({ text: 'secretly interviewing', apps: ['slack', 'telegram'] })).toEqual({ ok: true });
    expect(await subjectSocket.socket.timeout(5000).emitWithAck('typing', { to: viewer.user.id, state: 'typing' })).toEqual({ ok: true });
    await sleep(500);
    expect(viewerSocket.received, JSON.stringify(viewerSocket.received)).toEqual([]);
    expect(typing).toEqual([]);
  });

  it('item 17: typing answers a blocked sender exactly like anyone else, and delivers nothing', async () => {
    const sender = await person();
    const blocker = await person();
    const friend = await person();
    await blocker.api.route(routes.block, { params: { userId: sender.user.id } });
    const senderSocket = sender.socket();
    const blockerSocket = blocker.socket();
    await Promise.all([senderSocket.connected(), blockerSocket.connected()]);
    await blockerSocket.socket.timeout(5000).emitWithAck('presence:scope', { mode: 'conversations', users: [sender.user.id] });
    const typing: TypingEvent[] = [];
    blockerSocket.socket.on('typing', (event) => typing.push(event));
    const toBlocker = await senderSocket.socket.timeout(5000).emitWithAck('typing', { to: blocker.user.id, state: 'typing' });
    const toFriend = await senderSocket.socket.timeout(5000).emitWithAck('typing', { to: friend.user.id, state: 'typing' });
    expect(toBlocker).toEqual(toFriend);
    expect(toBlocker).toEqual({ ok: true });
    await sleep(300);
    expect(typing).toEqual([]);
  });
});

describe('item 17: the discovery quota on entries removed and added back', () => {
  it('does not charge numbers already charged today, and still charges new ones', async () => {
    const clock = new ManualClock();
    const server = await startTestServer({ clock });
    try {
      server.config.contactLimits.newNumbersPerUserPerDay = 5;
      const me = await signIn(server.api, '+8613800990001');
      const api = server.api.withToken(me.token);
      const entries = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => ({ ref: `n${from + i}`, phones: [`+861380099${String(1000 + from + i)}`] }));
      expect((await api.route<Book>(routes.replaceAddressBook, { body: { entries: entries(0, 10) } })).status).toBe(200);
      expect((await api.route<Book>(routes.patchAddressBook, { body: { baseVersion: 1, add: entries(10, 5) } })).status).toBe(200);
      expect((await api.route<Book>(routes.patchAddressBook, { body: { baseVersion: 2, remove: entries(10, 5).map((entry) => entry.ref) } })).status).toBe(200);
      // On the old code this was a 429: the same five numbers were charged a second time.
      expect((await api.route<Book>(routes.patchAddressBook, { body: { baseVersion: 3, add: entries(10, 5) } })).status).toBe(200);
      expect((await api.route(routes.patchAddressBook, { body: { baseVersion: 4, add: entries(15, 1) } })).status).toBe(429);
      clock.advance(24 * 60 * 60_000);
      expect((await api.route(routes.patchAddressBook, { body: { baseVersion: 4, add: entries(15, 5) } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

const pgUp = await postgresAvailable();

describe.skipIf(!pgUp)('item 17 on PostgreSQL: parallel "first" uploads', () => {
  it('gives the first-upload exemption once, however many uploads race for it', async () => {
    const schema = await createPostgresSchema();
    const server = await startTestServer({ storage: schema.storage, env: { DATABASE_URL: postgresUrl } });
    try {
      server.config.contactLimits.newNumbersPerUserPerDay = 5;
      const me = await signIn(server.api, '+8613800990002');
      const api = server.api.withToken(me.token);
      const book = (from: number) => Array.from({ length: 10 }, (_, i) => ({ ref: `b${from + i}`, phones: [`+861380088${String(1000 + from + i)}`] }));
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => api.route(routes.replaceAddressBook, { body: { entries: book(i * 10) } })));
      // On the old code all 8 were "first" uploads: 80 numbers checked against a quota of 5.
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(7);
    } finally {
      await server.close();
      await schema.drop();
    }
  });
});
