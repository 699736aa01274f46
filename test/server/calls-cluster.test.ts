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
    const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `sbtest:calls:${process.pid}:${Date.now()}:`, CALL_RING_SECONDS: '2' };
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
 * Two server processes on PostgreSQL and Redis: the node that rang a call dies (kill -9) while it rings, and
 * the surviving node still ends the call and leaves the missed call in the conversation, for both people.
 */
describe.skipIf(!pgUp || !redisUp)('a ringing call outlives the node that rang it', () => {
  const processes: ServerProcess[] = [];
  const clients: CallClient[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(processes.map((node) => node.kill()));
    await dropSchema?.();
  });

  async function device(url: string, token: string): Promise<CallClient> {
    const client = new CallClient(url, token);
    clients.push(client);
    return client.connected();
  }

  it('logs the missed call once from the surviving node, and tells the callee the ring is over', async () => {
    const schema = await createPostgresSchema();
    dropSchema = schema.drop;
    const env = {
      DATABASE_URL: schema.databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `sbtest:calls-crash:${process.pid}:${Date.now()}:`,
      SWITCHBOARD_SECRET: 'calls-crash-test-secret-that-is-long-enough-0123',
      CALL_RING_SECONDS: '3',
    };
    // Each node has a data folder of its own, as on two machines.
    const nodeA = await ServerProcess.start({ ...env, DATA_DIR: tempDir() });
    const nodeB = await ServerProcess.start({ ...env, DATA_DIR: tempDir() });
    processes.push(nodeA, nodeB);
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
