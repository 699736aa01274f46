import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { CallClient } from '../support/call-client.js';
import { sleep } from '../support/sockets.js';
import { postgresAvailable, redisAvailable, redisUrl } from '../support/services.js';
import { ServerProcess } from '../support/server-process.js';
import { ApiClient, createPostgresSchema, signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const redisUp = await redisAvailable();

/**
 * Two nodes sharing PostgreSQL and Redis (M26): a call rings the callee's devices on both nodes, the first
 * answer wins wherever it lands, a ring timeout is logged once although both nodes sweep for it, and a block
 * ends a call wherever its devices are.
 */
describe.skipIf(!pgUp || !redisUp)('calls across two nodes', () => {
  const nodes: TestServer[] = [];
  const clients: CallClient[] = [];
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    // Grace 0.6 s: a running call's party is gone 1 s after its node's last heartbeat.
    const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sbtest:calls:${process.pid}:${Date.now()}:`, CALL_RING_SECONDS: '2', CALL_RECONNECT_GRACE_SECONDS: '0.6' };
    nodes.push(await startTestServer({ storage: schema.storage, env }));
    nodes.push(await startTestServer({ storage: schema.storage, env }));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => node.close()));
    await dropSchema?.();
  });

  async function device(node: TestServer, token: string): Promise<CallClient> {
    const client = new CallClient(node.url, token);
    clients.push(client);
    return client.connected();
  }

  it('rings on both nodes, lets the first answer win across nodes, signals between nodes, and logs each call once', async () => {
    const [nodeA, nodeB] = nodes as [TestServer, TestServer];
    const alicePhone = '+8613766600001';
    const bobPhone = '+8613766600002';
    const alice = await signIn(nodeA.api, alicePhone, testDevice('Alice'));
    const bobOnA = await signIn(nodeA.api, bobPhone, testDevice('Bob phone'));
    const bobOnB = await signIn(nodeB.api, bobPhone, testDevice('Bob laptop'));
    await nodeA.api.withToken(alice.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'b', phones: [bobPhone] }] } });

    const aliceDevice = await device(nodeA, alice.token);
    const bobPhoneDevice = await device(nodeA, bobOnA.token);
    const bobLaptop = await device(nodeB, bobOnB.token);

    const { callId, ack } = await aliceDevice.invite(bobOnA.user.id, 'video');
    expect(ack).toEqual({ ok: true });
    await Promise.all([bobPhoneDevice.next('call:incoming', callId), bobLaptop.next('call:incoming', callId)]);
    const answers = await Promise.all([bobLaptop.answer(callId), bobPhoneDevice.answer(callId)]);
    expect(answers.filter((answer) => 'ok' in answer)).toHaveLength(1);
    const winner = 'ok' in answers[0]! ? bobLaptop : bobPhoneDevice;
    const loser = winner === bobLaptop ? bobPhoneDevice : bobLaptop;
    await aliceDevice.next('call:answered', callId);
    expect(await loser.next('call:ended', callId)).toMatchObject({ reason: 'answered-elsewhere' });
    await aliceDevice.ice(callId);
    await winner.next('call:ice', callId);
    await winner.ice(callId);
    await aliceDevice.next('call:ice', callId);
    // Being in a call is known on both nodes: Alice's other device, on node B, cannot start a second one.
    const busyAttempt = await device(nodeB, (await signIn(nodeB.api, alicePhone, testDevice('Alice tablet'))).token);
    const second = await busyAttempt.invite(bobOnA.user.id);
    expect(second.ack).toMatchObject({ error: { code: 'already_in_call' } });
    await winner.hangup(callId);
    expect(await aliceDevice.next('call:ended', callId)).toMatchObject({ reason: 'hangup' });
    expect((await aliceDevice.callLog(callId)).body).toMatchObject({ call: { outcome: 'answered' } });

    // Nobody answers: whichever node sweeps first ends it, and the call is logged once for everybody.
    const missed = await busyAttempt.invite(bobOnA.user.id);
    expect(missed.ack).toEqual({ ok: true });
    await bobPhoneDevice.next('call:incoming', missed.callId);
    expect(await busyAttempt.next('call:ended', missed.callId, 6000)).toMatchObject({ reason: 'timeout' });
    await Promise.all([bobPhoneDevice.next('call:ended', missed.callId), bobLaptop.next('call:ended', missed.callId)]);
    await bobLaptop.callLog(missed.callId);
    await sleep(300);
    // Alice's other device was not in this call and heard nothing of it.
    expect(aliceDevice.eventsFor(missed.callId)).toEqual([]);
    expect(bobLaptop.messages.filter((message) => message.clientId === missed.callId)).toHaveLength(1);
    const history = await nodeB.api.withToken(bobOnB.token).typed().call(routes.conversationMessages, { params: { id: (await bobLaptop.callLog(missed.callId)).conversationId }, query: {} });
    expect(history.messages.filter((message) => 'call' in message.body && message.body.call.callId === missed.callId)).toHaveLength(1);
  });

  it('a running call between devices on the two nodes is kept alive by both, although each node sweeps it', async () => {
    const [nodeA, nodeB] = nodes as [TestServer, TestServer];
    const erinPhone = '+8613766600005';
    const frankPhone = '+8613766600006';
    const erin = await signIn(nodeA.api, erinPhone, testDevice('Erin'));
    const frank = await signIn(nodeB.api, frankPhone, testDevice('Frank'));
    await nodeA.api.withToken(erin.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'f', phones: [frankPhone] }] } });
    const erinOnA = await device(nodeA, erin.token);
    const frankOnB = await device(nodeB, frank.token);
    const callId = await erinOnA.callAnsweredBy(frankOnB, frank.user.id);

    // Several times the grace time: node A never holds Frank's session, node B never Erin's.
    await sleep(3500);
    expect(erinOnA.eventsFor(callId)).not.toContain('call:ended');
    expect(frankOnB.eventsFor(callId)).not.toContain('call:ended');
    expect(await erinOnA.ice(callId)).toEqual({ ok: true });
    await frankOnB.next('call:ice', callId);
    expect(await frankOnB.hangup(callId)).toEqual({ ok: true });
    expect(await erinOnA.next('call:ended', callId)).toMatchObject({ reason: 'hangup' });
    expect((await erinOnA.callLog(callId)).body).toMatchObject({ call: { callId, outcome: 'answered' } });
  });

  it('a block made on one node ends a running call whose devices are on the other', async () => {
    const [nodeA, nodeB] = nodes as [TestServer, TestServer];
    const carolPhone = '+8613766600003';
    const davePhone = '+8613766600004';
    const carol = await signIn(nodeA.api, carolPhone, testDevice('Carol'));
    const daveOnA = await signIn(nodeA.api, davePhone, testDevice('Dave phone'));
    const daveOnB = await signIn(nodeB.api, davePhone, testDevice('Dave laptop'));
    await nodeA.api.withToken(carol.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'd', phones: [davePhone] }] } });
    const carolDevice = await device(nodeA, carol.token);
    const davePhoneDevice = await device(nodeA, daveOnA.token);
    const daveLaptop = await device(nodeB, daveOnB.token);

    const { callId } = await carolDevice.invite(daveOnA.user.id);
    await Promise.all([davePhoneDevice.next('call:incoming', callId), daveLaptop.next('call:incoming', callId)]);
    expect(await davePhoneDevice.answer(callId)).toEqual({ ok: true });
    await carolDevice.next('call:answered', callId);

    // Dave blocks Carol from his laptop's node; the call's two devices are both on node A.
    await nodeB.api.withToken(daveOnB.token).typed().call(routes.block, { params: { userId: carol.user.id } });
    expect(await davePhoneDevice.next('call:ended', callId)).toMatchObject({ reason: 'blocked' });
    expect(await carolDevice.next('call:ended', callId)).toMatchObject({ reason: 'hangup', from: { userId: daveOnA.user.id } });
    expect((await carolDevice.callLog(callId)).body).toMatchObject({ call: { callId, outcome: 'answered' } });
    expect(await carolDevice.ice(callId)).toMatchObject({ error: { code: 'not_found' } });
  });
});

/**
 * Two server processes on one PostgreSQL schema and Redis, each with a data folder of its own as on two
 * machines, killed (and the schema dropped) after the suite; `device` opens a call client on one of them.
 */
function processPair(tag: string) {
  const processes: ServerProcess[] = [];
  const clients: CallClient[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(processes.map((node) => node.kill()));
    await dropSchema?.();
  });
  return {
    async start(extraEnv: Record<string, string>): Promise<[ServerProcess, ServerProcess]> {
      const schema = await createPostgresSchema();
      dropSchema = schema.drop;
      const env = {
        DATABASE_URL: schema.databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: `sbtest:${tag}:${process.pid}:${Date.now()}:`,
        SWITCHBOARD_SECRET: 'calls-crash-test-secret-that-is-long-enough-0123',
        ...extraEnv,
      };
      const nodeA = await ServerProcess.start({ ...env, DATA_DIR: tempDir() });
      const nodeB = await ServerProcess.start({ ...env, DATA_DIR: tempDir() });
      processes.push(nodeA, nodeB);
      return [nodeA, nodeB];
    },
    async device(url: string, token: string): Promise<CallClient> {
      const client = new CallClient(url, token);
      clients.push(client);
      return client.connected();
    },
  };
}

/**
 * Two server processes on PostgreSQL and Redis: the node that rang a call dies (kill -9) while it rings, and
 * the surviving node still ends the call and leaves the missed call in the conversation, for both people.
 */
describe.skipIf(!pgUp || !redisUp)('a ringing call outlives the node that rang it', () => {
  const { start, device } = processPair('calls-crash');

  it('logs the missed call once from the surviving node, and tells the callee the ring is over', async () => {
    const [nodeA, nodeB] = await start({ CALL_RING_SECONDS: '3' });
    const apiA = new ApiClient(nodeA.url);
    const apiB = new ApiClient(nodeB.url);
    const alicePhone = '+8613766600011';
    const bobPhone = '+8613766600012';
    const alice = await signIn(apiA, alicePhone, testDevice('Alice'));
    const bob = await signIn(apiB, bobPhone, testDevice('Bob'));
    await apiA.withToken(alice.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'b', phones: [bobPhone] }] } });

    const aliceOnA = await device(nodeA.url, alice.token);
    const bobOnB = await device(nodeB.url, bob.token);
    const { callId, ack } = await aliceOnA.invite(bob.user.id, 'video');
    expect(ack).toEqual({ ok: true });
    await bobOnB.next('call:incoming', callId);

    // The node that took the call dies while it rings: no goodbye, no timer of its own left.
    await nodeA.kill('SIGKILL');
    const ended = await bobOnB.next('call:ended', callId, 15_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\nnode B said: ${nodeB.output.join('')}`);
    });
    expect(ended).toMatchObject({ reason: 'timeout' });
    const bobLog = await bobOnB.callLog(callId);
    expect(bobLog.body).toEqual({ call: { callId, media: 'video', outcome: 'missed' } });
    expect(bobLog.from.userId).toBe(alice.user.id);

    // Alice's device comes back through the surviving node and finds the missed call in the conversation.
    const aliceBack = await device(nodeB.url, alice.token);
    expect((await aliceBack.callLog(callId)).body).toEqual({ call: { callId, media: 'video', outcome: 'missed' } });
    const history = await apiB.withToken(alice.token).typed().call(routes.conversationMessages, { params: { id: bobLog.conversationId }, query: {} });
    expect(history.messages.filter((message) => 'call' in message.body && message.body.call.callId === callId)).toHaveLength(1);
    // The line is free again: Bob can call Alice.
    const back = await bobOnB.invite(alice.user.id);
    expect(back.ack).toEqual({ ok: true });
    await aliceBack.next('call:incoming', back.callId);
    await bobOnB.hangup(back.callId);
  });
});

/**
 * Two server processes on PostgreSQL and Redis, calls answered on node A, then node A dies (kill -9): a call
 * a party of which does not come back within the grace time is ended by node B (both told if they are
 * there, logged once with its duration, nobody left busy); a call whose devices come back to node B in time,
 * and a call whose devices were on node B all along, go on.
 */
describe.skipIf(!pgUp || !redisUp)('a running call outlives the node that held it only while its devices are connected', () => {
  const { start, device } = processPair('calls-running-crash');

  it('ends the calls whose parties stay away, once, and keeps the ones whose devices are connected', async () => {
    // A party is gone 3.3 s after its node's last heartbeat (every 0.67 s); each node sweeps every 0.75 s.
    const [nodeA, nodeB] = await start({ CALL_RING_SECONDS: '3', CALL_RECONNECT_GRACE_SECONDS: '2' });
    const apiA = new ApiClient(nodeA.url);
    const apiB = new ApiClient(nodeB.url);
    const said = (error: unknown) => new Error(`${String(error)}\nnode B said: ${nodeB.output.join('')}`);

    /** Two people who know each other, signed in on `api`, each with one device on `url`, in an answered call. */
    async function answeredCall(api: ApiClient, url: string, index: number) {
      const callerPhone = `+86137666001${index}1`;
      const calleePhone = `+86137666001${index}2`;
      const caller = await signIn(api, callerPhone, testDevice(`caller ${index}`));
      const callee = await signIn(api, calleePhone, testDevice(`callee ${index}`));
      await api.withToken(caller.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'c', phones: [calleePhone] }] } });
      const callerDevice = await device(url, caller.token);
      const calleeDevice = await device(url, callee.token);
      const callId = await callerDevice.callAnsweredBy(calleeDevice, callee.user.id, 'video');
      return { caller, callee, callerDevice, calleeDevice, callId };
    }

    /** The call's lines in the conversation of the two, as stored (read through node B). */
    async function logLines(token: string, conversationId: string, callId: string) {
      const history = await apiB.withToken(token).typed().call(routes.conversationMessages, { params: { id: conversationId }, query: {} });
      return history.messages.flatMap((message) => ('call' in message.body && message.body.call.callId === callId ? [message.body.call] : []));
    }

    // Alice and Bob: the caller comes back to node B at once, the callee stays away.
    const aliceBob = await answeredCall(apiA, nodeA.url, 1);
    // Carol and Dave: both stay away until the call is over.
    const carolDave = await answeredCall(apiA, nodeA.url, 2);
    // Erin and Frank: both come back to node B within the grace time.
    const erinFrank = await answeredCall(apiA, nodeA.url, 3);
    // Gina and Hank: on node B all along.
    const ginaHank = await answeredCall(apiB, nodeB.url, 4);
    await sleep(1100);

    // The node holding the first three calls dies: no hang-up, no disconnect handled, no timer left.
    await nodeA.kill('SIGKILL');
    const aliceBack = await device(nodeB.url, aliceBob.caller.token);
    const [erinBack, frankBack] = await Promise.all([device(nodeB.url, erinFrank.caller.token), device(nodeB.url, erinFrank.callee.token)]);

    // Bob never came back: node B ends the call for Alice once Bob's deadline is past.
    const ended = await aliceBack.next('call:ended', aliceBob.callId, 15_000).catch((error: unknown) => {
      throw said(error);
    });
    expect(ended).toMatchObject({ reason: 'connection-lost' });
    const aliceLog = await aliceBack.callLog(aliceBob.callId);
    expect(aliceLog.body).toMatchObject({ call: { callId: aliceBob.callId, media: 'video', outcome: 'answered' } });
    const lines = await logLines(aliceBob.caller.token, aliceLog.conversationId, aliceBob.callId);
    expect(lines).toHaveLength(1);
    // From the answer to the missed deadline: at least the 1.1 s before the kill and the grace time.
    expect(lines[0]?.durationSeconds).toBeGreaterThanOrEqual(3);
    expect(lines[0]?.durationSeconds).toBeLessThan(30);

    // Nobody is left busy: Bob comes back and Alice's new call rings on his device.
    const bobBack = await device(nodeB.url, aliceBob.callee.token);
    expect((await bobBack.callLog(aliceBob.callId)).body).toMatchObject({ call: { outcome: 'answered' } });
    const again = await aliceBack.invite(aliceBob.callee.user.id);
    expect(again.ack).toEqual({ ok: true });
    await bobBack.next('call:incoming', again.callId);
    await aliceBack.hangup(again.callId);

    // Carol and Dave's call was ended in the same sweeps although neither was there to hear it.
    await sleep(1500);
    const [carolBack, daveBack] = await Promise.all([device(nodeB.url, carolDave.caller.token), device(nodeB.url, carolDave.callee.token)]);
    const carolLog = await carolBack.callLog(carolDave.callId);
    const carolLines = await logLines(carolDave.caller.token, carolLog.conversationId, carolDave.callId);
    expect(carolLines).toHaveLength(1);
    expect(carolLines[0]).toMatchObject({ outcome: 'answered', durationSeconds: expect.any(Number) as number });
    const carolCalls = await carolBack.invite(carolDave.callee.user.id);
    expect(carolCalls.ack).toEqual({ ok: true });
    await daveBack.next('call:incoming', carolCalls.callId);
    await daveBack.hangup(carolCalls.callId, 'declined');

    // Erin and Frank came back in time, and Gina and Hank never left node B: both calls go on.
    expect(erinBack.eventsFor(erinFrank.callId)).not.toContain('call:ended');
    expect(frankBack.eventsFor(erinFrank.callId)).not.toContain('call:ended');
    expect(ginaHank.callerDevice.eventsFor(ginaHank.callId)).not.toContain('call:ended');
    expect(ginaHank.calleeDevice.eventsFor(ginaHank.callId)).not.toContain('call:ended');
    expect(await erinBack.ice(erinFrank.callId)).toEqual({ ok: true });
    await frankBack.next('call:ice', erinFrank.callId);
    expect(await ginaHank.calleeDevice.ice(ginaHank.callId)).toEqual({ ok: true });
    await ginaHank.callerDevice.next('call:ice', ginaHank.callId);
    for (const { callId, callerDevice, calleeDevice, callee } of [{ ...erinFrank, callerDevice: erinBack, calleeDevice: frankBack }, ginaHank]) {
      expect(await callerDevice.hangup(callId)).toEqual({ ok: true });
      expect(await calleeDevice.next('call:ended', callId)).toMatchObject({ reason: 'hangup' });
      const log = await calleeDevice.callLog(callId);
      expect(await logLines(callee.token, log.conversationId, callId)).toHaveLength(1);
    }
  });
});
