import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { CallClient } from '../support/call-client.js';
import { sleep } from '../support/sockets.js';
import { postgresAvailable, redisAvailable, redisUrl } from '../support/services.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const redisUp = await redisAvailable();

/**
 * Two nodes sharing PostgreSQL and Redis (M26): a call rings the callee's devices on both nodes, the first
 * answer wins wherever it lands, and a ring timeout is logged once although both nodes could see it.
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

    // Nobody answers: the node that rang ends it, and the call is logged once for everybody.
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
});
