import { createHmac, randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { CallClient } from '../support/call-client.js';
import { sleep } from '../support/sockets.js';
import { postgresAvailable, redisAvailable, redisUrl } from '../support/services.js';
import { ConfigError, loadConfig } from '#server/config.js';
import { MemoryCallStore, type CallRecord, type CallStore } from '#server/features/calls/calls.store.js';
import { RedisCallStore } from '#server/features/calls/redis-calls.store.js';
import { createPostgresSchema, signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const redisUp = await redisAvailable();
const backends = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: pgUp },
] as const;
const turnSecret = 'turn-shared-secret-for-the-test';

/** Call signalling over real socket.io on loopback (M26), with the call log on SQLite and on PostgreSQL. */
describe.each(backends)('calls on $name', ({ name, available }) => {
  let server: TestServer;
  let dropSchema: (() => Promise<void>) | undefined;
  const clients: CallClient[] = [];
  let phoneCounter = 0;

  beforeAll(async () => {
    if (!available) return;
    const env = { CALL_RING_SECONDS: '2', CALL_RECONNECT_GRACE_SECONDS: '0.3', TURN_URLS: 'turn:127.0.0.1:3478?transport=udp', TURN_SECRET: turnSecret, TURN_TTL_SECONDS: '600' };
    if (name === 'postgres') {
      const schema = await createPostgresSchema();
      dropSchema = schema.drop;
      server = await startTestServer({ storage: schema.storage, env, limits: { sendsPerIpPerHour: 1000 } });
    } else server = await startTestServer({ env, limits: { sendsPerIpPerHour: 1000 } });
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.close();
    await dropSchema?.();
  });

  /** People with each other's numbers (or, with `mutual: false`, nobody's number at all). */
  async function people(count: number, mutual = true) {
    const phones = Array.from({ length: count }, () => `+86137${String(20_000_000 + phoneCounter++ * 7919 + (name === 'postgres' ? 5_000_000 : 0)).padStart(8, '0')}`);
    const signedIn = [];
    for (const phone of phones) signedIn.push({ ...(await signIn(server.api, phone, testDevice(phone))), phone });
    if (mutual) {
      for (const person of signedIn) {
        const entries = phones.filter((p) => p !== person.phone).map((p) => ({ ref: p, phones: [p] }));
        await server.api.withToken(person.token).typed().call(routes.replaceAddressBook, { body: { entries } });
      }
    }
    return signedIn;
  }

  async function device(token: string): Promise<CallClient> {
    const client = new CallClient(server.url, token);
    clients.push(client);
    return client.connected();
  }

  /** A second device of the same person: a session of its own. */
  async function secondDevice(phone: string): Promise<CallClient> {
    return device((await signIn(server.api, phone, testDevice(`${phone} tablet`))).token);
  }

  it.skipIf(!available)('rings every device of the callee; the first answer wins, the others stop; ICE flows; the hang-up logs the call with its duration', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobPhone = await device(bob!.token);
    const bobLaptop = await secondDevice(bob!.phone);

    const { callId, ack } = await aliceDevice.invite(bob!.user.id, 'video');
    expect(ack).toEqual({ ok: true });
    const [ringPhone, ringLaptop] = await Promise.all([bobPhone.next('call:incoming', callId), bobLaptop.next('call:incoming', callId)]);
    expect(ringPhone).toMatchObject({ from: { userId: alice!.user.id, phone: alice!.phone }, media: 'video', ringSeconds: 2 });
    expect(ringLaptop.callId).toBe(callId);

    // Before the answer the caller's candidates reach every ringing device.
    expect(await aliceDevice.ice(callId)).toEqual({ ok: true });
    await Promise.all([bobPhone.next('call:ice', callId), bobLaptop.next('call:ice', callId)]);

    // Both answer at once: exactly one wins.
    const answers = await Promise.all([bobPhone.answer(callId), bobLaptop.answer(callId)]);
    const winners = answers.filter((answer) => 'ok' in answer);
    expect(winners).toHaveLength(1);
    const [winner, loser] = 'ok' in answers[0]! ? [bobPhone, bobLaptop] : [bobLaptop, bobPhone];
    expect(answers.find((answer) => !('ok' in answer))).toMatchObject({ error: { code: 'not_found' } });
    expect(await aliceDevice.next('call:answered', callId)).toMatchObject({ from: { userId: bob!.user.id } });
    expect(await loser.next('call:ended', callId)).toMatchObject({ reason: 'answered-elsewhere' });
    expect(winner.eventsFor(callId)).not.toContain('call:ended');

    // After the answer, candidates go between the two devices in the call only.
    const loserIceBefore = loser.eventsFor(callId).filter((event) => event === 'call:ice').length;
    await aliceDevice.ice(callId, 'candidate:2 1 udp 2122260223 192.0.2.1 50001 typ host');
    await winner.ice(callId);
    await aliceDevice.next('call:ice', callId);
    await expect.poll(() => winner.eventsFor(callId).filter((event) => event === 'call:ice').length).toBe(2);
    await sleep(100);
    expect(loser.eventsFor(callId).filter((event) => event === 'call:ice').length).toBe(loserIceBefore);
    // The device that lost cannot act in the call.
    expect(await loser.ice(callId)).toMatchObject({ error: { code: 'not_found' } });
    expect(await loser.hangup(callId)).toMatchObject({ error: { code: 'not_found' } });

    await sleep(1100);
    expect(await aliceDevice.hangup(callId)).toEqual({ ok: true });
    expect(await winner.next('call:ended', callId)).toMatchObject({ reason: 'hangup', from: { userId: alice!.user.id } });
    const log = await aliceDevice.callLog(callId);
    expect(log.body).toMatchObject({ call: { callId, media: 'video', outcome: 'answered' } });
    expect('call' in log.body && (log.body.call.durationSeconds ?? 0)).toBeGreaterThanOrEqual(1);
    expect(log.from.userId).toBe(alice!.user.id);
    await Promise.all([bobPhone.callLog(callId), bobLaptop.callLog(callId)]);
    // Over: nothing more can be sent in it.
    expect(await aliceDevice.ice(callId)).toMatchObject({ error: { code: 'not_found' } });
    expect(clients.flatMap((client) => client.invalid)).toEqual([]);
  });

  it.skipIf(!available)('passes an ICE restart (a new offer and its answer) between the two devices of a running call only', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobPhone = await device(bob!.token);
    const bobLaptop = await secondDevice(bob!.phone);
    const { callId } = await aliceDevice.invite(bob!.user.id, 'video');
    await bobPhone.next('call:incoming', callId);
    // Nothing to renegotiate before the answer.
    expect(await aliceDevice.renegotiate(callId)).toMatchObject({ error: { code: 'not_found' } });
    await bobPhone.answer(callId);
    expect(await aliceDevice.renegotiate(callId, 'offer')).toEqual({ ok: true });
    expect(await bobPhone.next('call:renegotiate', callId)).toMatchObject({ from: { userId: alice!.user.id }, description: { type: 'offer' } });
    expect(await bobPhone.renegotiate(callId, 'answer')).toEqual({ ok: true });
    expect(await aliceDevice.next('call:renegotiate', callId)).toMatchObject({ description: { type: 'answer' } });
    expect(await bobLaptop.renegotiate(callId)).toMatchObject({ error: { code: 'not_found' } });
    await sleep(100);
    expect(bobLaptop.eventsFor(callId)).not.toContain('call:renegotiate');
    await bobPhone.hangup(callId);
  });

  it.skipIf(!available)('a callee in a call is busy; a caller in a call cannot start another', async () => {
    const [alice, bob, carol] = await people(3);
    const [aliceDevice, bobDevice, carolDevice] = await Promise.all([device(alice!.token), device(bob!.token), device(carol!.token)]);
    const first = await aliceDevice.invite(bob!.user.id);
    await bobDevice.next('call:incoming', first.callId);
    expect(await bobDevice.answer(first.callId)).toEqual({ ok: true });

    const second = await carolDevice.invite(bob!.user.id);
    expect(second.ack).toEqual({ ok: true });
    expect(await carolDevice.next('call:ended', second.callId)).toMatchObject({ reason: 'busy', from: { userId: bob!.user.id } });
    expect((await carolDevice.callLog(second.callId)).body).toMatchObject({ call: { outcome: 'busy' } });
    expect(bobDevice.eventsFor(second.callId)).not.toContain('call:incoming');

    expect((await aliceDevice.invite(carol!.user.id)).ack).toMatchObject({ error: { code: 'already_in_call' } });
    await aliceDevice.hangup(first.callId);
    // Free again once the call is over.
    const third = await carolDevice.invite(bob!.user.id);
    await bobDevice.next('call:incoming', third.callId);
    await bobDevice.hangup(third.callId, 'busy');
    expect(await carolDevice.next('call:ended', third.callId)).toMatchObject({ reason: 'busy' });
  });

  it.skipIf(!available)('a decline stops every ringing device and is logged as declined', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobPhone = await device(bob!.token);
    const bobLaptop = await secondDevice(bob!.phone);
    const { callId } = await aliceDevice.invite(bob!.user.id);
    await Promise.all([bobPhone.next('call:incoming', callId), bobLaptop.next('call:incoming', callId)]);
    expect(await bobPhone.hangup(callId, 'declined')).toEqual({ ok: true });
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'declined' });
    expect(await bobLaptop.next('call:ended', callId)).toMatchObject({ reason: 'declined' });
    expect((await bobPhone.callLog(callId)).body).toEqual({ call: { callId, media: 'audio', outcome: 'declined' } });
  });

  it.skipIf(!available)('a call nobody answers within the ring time ends and leaves a missed-call message in the conversation', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const { callId } = await aliceDevice.invite(bob!.user.id);
    await bobDevice.next('call:incoming', callId);
    expect(await aliceDevice.next('call:ended', callId, 6000)).toMatchObject({ reason: 'timeout' });
    expect(await bobDevice.next('call:ended', callId)).toMatchObject({ reason: 'timeout' });
    const log = await bobDevice.callLog(callId);
    expect(log.body).toEqual({ call: { callId, media: 'audio', outcome: 'missed' } });
    // Stored: it is in the conversation's history for a device that was not there.
    const history = await server.api.withToken(bob!.token).typed().call(routes.conversationMessages, { params: { id: log.conversationId }, query: {} });
    expect(history.messages.map((message) => message.body)).toContainEqual({ call: { callId, media: 'audio', outcome: 'missed' } });
    expect(await bobDevice.answer(callId)).toMatchObject({ error: { code: 'not_found' } });
  });

  it.skipIf(!available)('a callee with no device online is unavailable at once, and the call is logged as missed', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const { callId } = await aliceDevice.invite(bob!.user.id);
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'unavailable' });
    expect((await aliceDevice.callLog(callId)).body).toMatchObject({ call: { outcome: 'missed' } });
  });

  it.skipIf(!available)('a caller whose device goes away for good ends the call after the grace time', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const { callId } = await aliceDevice.invite(bob!.user.id);
    await bobDevice.next('call:incoming', callId);
    await bobDevice.answer(callId);
    aliceDevice.close();
    expect(await bobDevice.next('call:ended', callId)).toMatchObject({ reason: 'connection-lost' });
    expect((await bobDevice.callLog(callId)).body).toMatchObject({ call: { outcome: 'answered' } });
  });

  it.skipIf(!available)('a running call whose devices stay connected outlives many grace times, heartbeats and sweeps', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const callId = await aliceDevice.callAnsweredBy(bobDevice, bob!.user.id);
    // Grace 0.3 s: a party's deadline is 0.7 s ahead, pushed every 0.2 s; the sweep runs every 0.5 s.
    await sleep(2500);
    expect(aliceDevice.eventsFor(callId)).not.toContain('call:ended');
    expect(bobDevice.eventsFor(callId)).not.toContain('call:ended');
    expect(await aliceDevice.ice(callId)).toEqual({ ok: true });
    await bobDevice.next('call:ice', callId);
    expect(await bobDevice.hangup(callId)).toEqual({ ok: true });
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'hangup' });
    const log = await aliceDevice.callLog(callId);
    expect('call' in log.body && (log.body.call.durationSeconds ?? 0)).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(!available)('nobody can call someone who blocked them, whom they blocked, a stranger, or themselves; a third party cannot touch a call', async () => {
    const [alice, bob, mallory] = await people(3);
    const [stranger] = await people(1, false);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const malloryDevice = await device(mallory!.token);
    const strangerDevice = await device(stranger!.token);

    await server.api.withToken(bob!.token).typed().call(routes.block, { params: { userId: alice!.user.id } });
    expect((await aliceDevice.invite(bob!.user.id)).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    expect((await bobDevice.invite(alice!.user.id)).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    expect((await strangerDevice.invite(alice!.user.id)).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    expect((await aliceDevice.invite(alice!.user.id)).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    expect((await aliceDevice.invite('00000000-0000-4000-8000-000000000000')).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    await sleep(100);
    expect(bobDevice.received.filter((entry) => entry.event === 'call:incoming')).toEqual([]);

    // Alice calls Mallory's friend... Mallory knows the call id and tries to act in it.
    const { callId } = await aliceDevice.invite(mallory!.user.id);
    await malloryDevice.next('call:incoming', callId);
    expect(await strangerDevice.answer(callId)).toMatchObject({ error: { code: 'not_found' } });
    expect(await strangerDevice.ice(callId)).toMatchObject({ error: { code: 'not_found' } });
    expect(await strangerDevice.hangup(callId)).toMatchObject({ error: { code: 'not_found' } });
    // A forged payload is refused before anything happens.
    const forged = await strangerDevice.socket.timeout(5000).emitWithAck('call:invite', JSON.parse('{"callId":"x","to":{"userId":"y"},"media":"hologram","sdp":""}') as never);
    expect(forged).toMatchObject({ error: { code: 'validation_failed' } });
    await aliceDevice.hangup(callId);
    expect((await malloryDevice.callLog(callId)).body).toMatchObject({ call: { outcome: 'missed' } });
  });

  it.skipIf(!available)('a block made while a call rings ends it at once on every device; the blocked caller hears a decline, never the block', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobPhone = await device(bob!.token);
    const bobLaptop = await secondDevice(bob!.phone);
    const { callId } = await aliceDevice.invite(bob!.user.id, 'video');
    await Promise.all([bobPhone.next('call:incoming', callId), bobLaptop.next('call:incoming', callId)]);

    await server.api.withToken(bob!.token).typed().call(routes.block, { params: { userId: alice!.user.id } });
    expect(await bobPhone.next('call:ended', callId)).toMatchObject({ reason: 'blocked' });
    expect(await bobLaptop.next('call:ended', callId)).toMatchObject({ reason: 'blocked' });
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'declined', from: { userId: bob!.user.id } });
    expect((await aliceDevice.callLog(callId)).body).toEqual({ call: { callId, media: 'video', outcome: 'declined' } });
    // Over for good: the answer comes too late, and a new call is refused.
    expect(await bobPhone.answer(callId)).toMatchObject({ error: { code: 'not_found' } });
    expect((await aliceDevice.invite(bob!.user.id)).ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    expect(clients.flatMap((client) => client.invalid)).toEqual([]);
  });

  it.skipIf(!available)('a call and a block raced against each other never leave the call ringing', async () => {
    const pairs = await Promise.all(Array.from({ length: 8 }, async () => {
      const [alice, bob] = await people(2);
      return { alice: alice!, bob: bob!, aliceDevice: await device(alice!.token), bobDevice: await device(bob!.token) };
    }));
    const outcomes = await Promise.all(
      pairs.map(async ({ alice, bob, aliceDevice }) => {
        const [call] = await Promise.all([aliceDevice.invite(bob.user.id), server.api.withToken(bob.token).typed().call(routes.block, { params: { userId: alice.user.id } })]);
        return call;
      }),
    );
    await sleep(300);
    for (const [index, { callId, ack }] of outcomes.entries()) {
      const { bobDevice, aliceDevice } = pairs[index]!;
      // Refused, or ended by the block: either way nobody can take it any more, and the caller knows.
      expect(await bobDevice.answer(callId)).toMatchObject({ error: { code: 'not_found' } });
      if ('ok' in ack) expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'declined' });
      else expect(ack).toMatchObject({ error: { code: 'call_not_allowed' } });
    }
  });

  it.skipIf(!available)('a block made during a running call ends it for both; the call is logged as answered', async () => {
    const [alice, bob, carol] = await people(3);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const callId = await aliceDevice.callAnsweredBy(bobDevice, bob!.user.id);

    // Blocking someone else leaves the call alone.
    await server.api.withToken(alice!.token).typed().call(routes.block, { params: { userId: carol!.user.id } });
    expect(await aliceDevice.ice(callId)).toEqual({ ok: true });
    await bobDevice.next('call:ice', callId);
    expect(aliceDevice.eventsFor(callId)).not.toContain('call:ended');

    await server.api.withToken(alice!.token).typed().call(routes.block, { params: { userId: bob!.user.id } });
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'blocked' });
    expect(await bobDevice.next('call:ended', callId)).toMatchObject({ reason: 'hangup', from: { userId: alice!.user.id } });
    expect((await bobDevice.callLog(callId)).body).toMatchObject({ call: { callId, outcome: 'answered' } });
    expect(await aliceDevice.ice(callId)).toMatchObject({ error: { code: 'not_found' } });
    // Neither is left busy: each can call someone else.
    const carolDevice = await device(carol!.token);
    const next = await bobDevice.invite(carol!.user.id);
    expect(next.ack).toEqual({ ok: true });
    await carolDevice.next('call:incoming', next.callId);
    await bobDevice.hangup(next.callId);
  });

  it.skipIf(!available)('hands out coturn REST credentials that expire, and only to a session', async () => {
    const [alice] = await people(1, false);
    const before = Math.floor(Date.now() / 1000);
    const answer = await server.api.withToken(alice!.token).typed().call(routes.callIceServers, {});
    expect(answer.ttl).toBe(600);
    const [turn] = answer.iceServers;
    expect(turn?.urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
    const [expiry, userId] = (turn?.username ?? '').split(':');
    expect(userId).toBe(alice!.user.id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(before + 602);
    expect(turn?.credential).toBe(createHmac('sha1', turnSecret).update(turn?.username ?? '').digest('base64'));
    expect((await server.api.route(routes.callIceServers)).status).toBe(401);
  });
});

describe('call settings', () => {
  it('refuses half a TURN setup, relay-only without TURN, and URLs that are not ICE URLs', () => {
    const base = { DATA_DIR: tempDir(), SWITCHBOARD_SECRET: 'test-secret-that-is-at-least-32-characters-long' };
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:127.0.0.1:3478' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, TURN_SECRET: turnSecret })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, CALL_RELAY_ONLY: '1' })).toThrow(/CALL_RELAY_ONLY/);
    expect(() => loadConfig({ ...base, STUN_URLS: 'http://stun.example.com' })).toThrow(/stun:/);
    const config = loadConfig({ ...base, TURN_URLS: 'turn:a.example:3478, turns:a.example:5349', TURN_SECRET: turnSecret, CALL_RELAY_ONLY: '1', STUN_URLS: 'stun:a.example:3478' });
    expect(config.calls).toMatchObject({ ringMs: 30_000, relayOnly: true, stunUrls: ['stun:a.example:3478'], turn: { urls: ['turn:a.example:3478', 'turns:a.example:5349'], ttlSeconds: 3600 } });
  });
});

describe('ice servers without TURN', () => {
  it('answers an empty list, so calls between devices that reach each other still work', async () => {
    const server = await startTestServer();
    try {
      const alice = await signIn(server.api, '+8613712399001');
      expect(await server.api.withToken(alice.token).typed().call(routes.callIceServers, {})).toEqual({ iceServers: [], ttl: 0 });
    } finally {
      await server.close();
    }
  });
});

/**
 * The liveness of running calls in both stores, with the times given outright: a party's deadline that
 * passed makes the call sweepable, a heartbeat that lands first keeps it, and it ends once however many
 * nodes sweep at the same time.
 */
describe.each([
  { name: 'memory', available: true },
  { name: 'redis', available: redisUp },
] as const)('running calls in the $name call store', ({ name, available }) => {
  let redis: RedisClientType | undefined;
  let store: CallStore;
  const prefix = `sbtest:call-store:${process.pid}:${Date.now()}:`;
  beforeAll(async () => {
    if (!available) return;
    if (name === 'memory') {
      store = new MemoryCallStore();
      return;
    }
    redis = createClient({ url: redisUrl });
    await redis.connect();
    store = new RedisCallStore(redis, prefix);
  });
  afterAll(async () => {
    // The two sorted sets do not expire: leave nothing of this run behind.
    const keys = (await redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length > 0) await redis?.del(keys);
    await redis?.quit();
  });

  const hour = 60 * 60 * 1000;
  function call(now: number): CallRecord {
    return { id: randomUUID(), callerId: randomUUID(), calleeId: randomUUID(), media: 'audio', callerSession: randomUUID(), startedAt: now, ringsUntil: now + 30_000 };
  }

  it.skipIf(!available)('a running call is due once a party misses its deadline, and ends once although many sweep it', async () => {
    const now = Date.now();
    const record = call(now);
    expect(await store.create(record, hour)).toBe('created');
    const calleeSession = randomUUID();
    expect(await store.keepAlive(record.id, record.callerSession, now + 5000)).toBe('ringing');
    expect(await store.answer(record.id, { session: calleeSession, at: now }, hour, now + 1000)).toBeDefined();
    expect(await store.runningDue(now + 999, 100)).not.toContain(record.id);
    expect(await store.runningDue(now + 1000, 100)).toContain(record.id);

    // The caller's node beats; the callee's does not: the call is still due, at the callee's deadline.
    expect(await store.keepAlive(record.id, record.callerSession, now + 5000)).toBe('refreshed');
    expect(await store.keepAlive(record.id, randomUUID(), now + 5000)).toBe('over');
    expect(await store.runningDue(now + 1500, 100)).toContain(record.id);
    expect(await store.endIfAbandoned(record.id, now + 999)).toBeUndefined();

    const sweeps = await Promise.all(Array.from({ length: 8 }, () => store.endIfAbandoned(record.id, now + 1500)));
    const ended = sweeps.filter((sweep) => sweep !== undefined);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ call: { id: record.id, answer: { session: calleeSession, at: now } }, abandonedAt: now + 1000 });
    expect(await store.get(record.id)).toBeUndefined();
    expect(await store.callOf(record.callerId)).toBeUndefined();
    expect(await store.callOf(record.calleeId)).toBeUndefined();
    expect(await store.runningDue(now + hour, 100)).not.toContain(record.id);
    expect(await store.keepAlive(record.id, record.callerSession, now + 5000)).toBe('over');
    expect(await store.end(record.id)).toBeUndefined();
    // Neither is busy any more.
    expect(await store.create({ ...call(now), callerId: record.calleeId, calleeId: record.callerId }, hour)).toBe('created');
  });

  it.skipIf(!available)('a heartbeat that lands before the sweep keeps the call; a call ended otherwise leaves nothing to sweep', async () => {
    const now = Date.now();
    const record = call(now);
    await store.create(record, hour);
    const calleeSession = randomUUID();
    await store.answer(record.id, { session: calleeSession, at: now }, hour, now + 1000);
    await Promise.all([store.keepAlive(record.id, record.callerSession, now + 3000), store.keepAlive(record.id, calleeSession, now + 4000)]);
    // A heartbeat that comes late (a slow node) never moves a deadline back.
    expect(await store.keepAlive(record.id, record.callerSession, now + 1500)).toBe('refreshed');
    expect(await store.runningDue(now + 2000, 100)).not.toContain(record.id);
    expect(await store.endIfAbandoned(record.id, now + 2000)).toBeUndefined();
    expect(await store.get(record.id)).toMatchObject({ answer: { session: calleeSession } });
    expect(await store.endIfAbandoned(record.id, now + 3000)).toMatchObject({ abandonedAt: now + 3000 });

    const hungUp = call(now);
    await store.create(hungUp, hour);
    await store.answer(hungUp.id, { session: randomUUID(), at: now }, hour, now + 1000);
    expect(await store.end(hungUp.id)).toBeDefined();
    expect(await store.runningDue(now + hour, 100)).not.toContain(hungUp.id);
    expect(await store.endIfAbandoned(hungUp.id, now + hour)).toBeUndefined();
  });
});
