import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { routes, routePath } from '#common/contract/routes.js';
import type { MessageSendAck } from '#common/contract/messages.js';
import { fileNameOf } from '#common/contract/http-client.js';
import { MessageClient } from '../support/message-client.js';
import { sleep } from '../support/sockets.js';
import { postgresAvailable } from '../support/services.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, verifyNumber, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const attachmentLimit = 256 * 1024;
/** A real 64x48 PNG, made by the same library the server uses for previews. */
const picture = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();

async function upload(url: string, token: string | undefined, bytes: Uint8Array, contentType: string) {
  const response = await fetch(url + routes.uploadAttachment.path, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-file-name': 'photo.png', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const backends = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: pgUp },
] as const;

function sentId(answer: MessageSendAck): string {
  if (!('ok' in answer) || !answer.message) throw new Error(`send failed: ${JSON.stringify(answer)}`);
  return answer.message.id;
}

/** Chat over real socket.io on loopback (M22, M23, M25), on SQLite and on PostgreSQL. */
describe.each(backends)('messages on $name', ({ name, available }) => {
  let server: TestServer;
  let dropSchema: (() => Promise<void>) | undefined;
  const clients: MessageClient[] = [];
  let phoneCounter = 0;

  beforeAll(async () => {
    if (!available) return;
    if (name === 'postgres') {
      const schema = await createPostgresSchema();
      dropSchema = schema.drop;
      server = await startTestServer({ storage: schema.storage, env: { ATTACHMENT_MAX_BYTES: String(attachmentLimit) }, limits: { sendsPerIpPerHour: 1000 } });
    } else server = await startTestServer({ env: { ATTACHMENT_MAX_BYTES: String(attachmentLimit) }, limits: { sendsPerIpPerHour: 1000 } });
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.close();
    await dropSchema?.();
  });

  /** People who all have each other's numbers. */
  async function people(count: number) {
    const phones = Array.from({ length: count }, () => `+86139${String(10_000_000 + phoneCounter++ * 7919 + (name === 'postgres' ? 5_000_000 : 0)).padStart(8, '0')}`);
    const signedIn = [];
    for (const phone of phones) signedIn.push({ ...(await signIn(server.api, phone, testDevice(phone))), phone });
    for (const person of signedIn) {
      const entries = phones.filter((p) => p !== person.phone).map((p) => ({ ref: p, phones: [p] }));
      await server.api.withToken(person.token).typed().call(routes.replaceAddressBook, { body: { entries } });
    }
    return signedIn;
  }

  async function device(token: string, autoAck = true): Promise<MessageClient> {
    const client = new MessageClient(server.url, token, { autoAck });
    clients.push(client);
    return client.connected();
  }

  it.skipIf(!available)('stores before the ack, delivers once, and a retry with the same clientId returns the first message', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const clientId = randomUUID();
    const first = await aliceDevice.send({ phone: bob!.phone }, 'hello', { clientId });
    expect(first).toMatchObject({ ok: true, route: 'delivered', sms: false, message: { seq: 1, from: { userId: alice!.user.id, phone: alice!.phone }, body: { text: 'hello' } } });
    const again = await aliceDevice.send({ phone: bob!.phone }, 'hello', { clientId });
    expect(sentId(again)).toBe(sentId(first));
    await bobDevice.until(() => bobDevice.messages.length === 1, 'the message');
    await sleep(300);
    expect(bobDevice.texts()).toEqual(['hello']);
    expect(bobDevice.repeats).toBe(0);
    const conversationId = bobDevice.messages[0]!.conversationId;
    const history = await server.api.withToken(bob!.token).typed().call(routes.conversationMessages, { params: { id: conversationId }, query: { limit: 10 } });
    expect(history.messages.map((m) => m.id)).toEqual([sentId(first)]);
    // Not a member: the conversation does not exist for them.
    const [stranger] = await people(1);
    const peek = await server.api.withToken(stranger!.token).route(routes.conversationMessages, { params: { id: conversationId } });
    expect(peek.status).toBe(404);
  });

  it.skipIf(!available)('lands the first messages of people who write to each other at once in one conversation each, and answers a retry sent with one by the first', async () => {
    const pairs = [await people(2), await people(2), await people(2)];
    const devices = await Promise.all(pairs.map(async ([a, b]) => [await device(a!.token), await device(b!.token)] as const));
    const answers = await Promise.all(
      pairs.map(([a, b], index) => {
        const [aDevice, bDevice] = devices[index]!;
        const clientId = randomUUID();
        return Promise.all([
          aDevice.send({ phone: b!.phone }, 'hello b', { clientId }),
          aDevice.send({ phone: b!.phone }, 'hello b', { clientId }),
          bDevice.send({ userId: a!.user.id }, 'hello a'),
        ]);
      }),
    );
    for (const [index, [first, retry, reply]] of answers.entries()) {
      const [a, b] = pairs[index]!;
      const [aDevice, bDevice] = devices[index]!;
      expect(sentId(retry!)).toBe(sentId(first!));
      const stored = [first!, reply!].map((answer) => ('ok' in answer ? answer.message : undefined));
      expect(new Set(stored.map((message) => message?.conversationId)).size).toBe(1);
      expect(stored.map((message) => message?.seq).sort()).toEqual([1, 2]);
      await bDevice.until(() => bDevice.texts().includes('hello b'), 'the first message');
      await aDevice.until(() => aDevice.texts().includes('hello a'), 'the reply');
      for (const person of [a!, b!]) {
        const list = await server.api.withToken(person.token).typed().call(routes.conversations, {});
        expect(list.map((conversation) => conversation.id)).toEqual([stored[0]!.conversationId]);
      }
    }
    await sleep(300);
    // Each message reached the other person once, whatever raced: the retry stored and sent nothing.
    for (const [aDevice, bDevice] of devices) {
      expect(bDevice.arrived).toEqual(['hello b']);
      expect(aDevice.arrived).toEqual(['hello a']);
    }
  });

  it.skipIf(!available)('keeps messages for an offline device and sends them all, in order, once, when it comes back', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const routesTaken = [];
    for (let i = 1; i <= 30; i += 1) {
      const answer = await aliceDevice.send({ phone: bob!.phone }, `m${i}`);
      routesTaken.push('ok' in answer ? answer.route : answer.error.code);
    }
    expect(new Set(routesTaken)).toEqual(new Set(['stored']));
    const bobDevice = await device(bob!.token);
    await bobDevice.until(() => bobDevice.messages.length === 30, '30 messages');
    expect(bobDevice.texts()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
    expect(bobDevice.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await bobDevice.until(() => bobDevice.acked.get(bobDevice.messages[0]!.conversationId) === 30, 'the acknowledgement');
    bobDevice.close();
    // Acknowledged: nothing comes again on the next connection, and a new message arrives live.
    const back = await device(bob!.token);
    await sleep(300);
    expect(back.messages).toEqual([]);
    await aliceDevice.send({ phone: bob!.phone }, 'live');
    await back.until(() => back.texts().join() === 'live', 'the live message');
  });

  it.skipIf(!available)('reaches every device of the receiver and the sender\'s other devices; receipts go to the sender', async () => {
    const [alice, bob] = await people(2);
    const laptop = await device(alice!.token);
    const second = await signIn(server.api, alice!.phone, testDevice('Alice desktop'));
    const desktop = await device(second.token);
    const bobDevice = await device(bob!.token, false);
    const sent = await laptop.send({ phone: bob!.phone }, 'from the laptop');
    await desktop.until(() => desktop.texts().includes('from the laptop'), 'the copy on the other device');
    await bobDevice.until(() => bobDevice.messages.length === 1, 'the message');
    const message = bobDevice.messages[0]!;
    expect(message.id).toBe(sentId(sent));
    expect(await bobDevice.ack(message.conversationId, message.seq)).toEqual({ ok: true });
    await laptop.until(() => laptop.receipts.some((r) => r.state === 'delivered' && r.by === bob!.user.id && r.upTo === 1), 'the delivered receipt');
    expect(await bobDevice.read(message.conversationId, message.seq)).toEqual({ ok: true });
    await desktop.until(() => desktop.receipts.some((r) => r.state === 'read' && r.upTo === 1), 'the read receipt');
    await bobDevice.send({ userId: alice!.user.id }, 'reply');
    for (const aliceDevice of [laptop, desktop]) await aliceDevice.until(() => aliceDevice.texts().includes('reply'), 'the reply on both devices');
    const list = await server.api.withToken(bob!.token).typed().call(routes.conversations, {});
    expect(list[0]).toMatchObject({ kind: 'direct', unread: 1, lastMessage: { body: { text: 'reply' } } });
  });

  it.skipIf(!available)('sends the sending device nothing it has from its answer, live or after a reconnect; its other devices get it', async () => {
    const [alice, bob] = await people(2);
    // No acknowledgements: whatever this device is not sent again is left out on purpose, not because it was acknowledged.
    const laptop = await device(alice!.token, false);
    const desktop = await device((await signIn(server.api, alice!.phone, testDevice('Alice desktop'))).token, false);
    const bobDevice = await device(bob!.token);
    expect(await laptop.send({ phone: bob!.phone }, 'mine')).toMatchObject({ ok: true, message: { seq: 1 } });
    await desktop.until(() => desktop.texts().includes('mine'), 'the copy on the other device');
    await bobDevice.until(() => bobDevice.texts().includes('mine'), 'the message');
    await sleep(300);
    expect(laptop.arrived).toEqual([]);
    expect(laptop.texts()).toEqual(['mine']);

    laptop.close();
    await bobDevice.send({ userId: alice!.user.id }, 'yours');
    await laptop.reconnect(server.url);
    await laptop.until(() => laptop.arrived.includes('yours'), 'what was missed');
    await sleep(300);
    expect(laptop.arrived).toEqual(['yours']);
    expect(laptop.texts()).toEqual(['mine', 'yours']);
    // A device signed in later has nothing yet: it is sent both.
    const phone = await device((await signIn(server.api, alice!.phone, testDevice('Alice phone'))).token, false);
    await phone.until(() => phone.messages.length === 2, 'the history');
    expect(phone.texts()).toEqual(['mine', 'yours']);
  });

  it.skipIf(!available)('sends a connection that does not opt out its own messages back, live and in its backlog (the contract\'s default)', async () => {
    const [alice, bob] = await people(2);
    const plain = new MessageClient(server.url, alice!.token, { ownEcho: true });
    clients.push(plain);
    await plain.connected();
    await device(bob!.token);
    expect(await plain.send({ phone: bob!.phone }, 'echoed')).toMatchObject({ ok: true });
    await plain.until(() => plain.arrived.includes('echoed'), 'the echo');
    // Never acknowledged: it comes again after a reconnect, as every unacknowledged message does.
    await plain.reconnect(server.url);
    await plain.until(() => plain.arrived.length === 2, 'the backlog');
    expect(plain.arrived).toEqual(['echoed', 'echoed']);
  });

  it.skipIf(!available)('keeps the receipts a sender missed while away, for the conversation list it loads on return', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const sent = await aliceDevice.send({ phone: bob!.phone }, 'while you were out');
    aliceDevice.close();
    const bobDevice = await device(bob!.token, false);
    await bobDevice.until(() => bobDevice.messages.length === 1, 'the message');
    const conversationId = bobDevice.messages[0]!.conversationId;
    expect(await bobDevice.ack(conversationId, 1)).toEqual({ ok: true });
    const aliceList = () => server.api.withToken(alice!.token).typed().call(routes.conversations, {});
    expect((await aliceList())[0]?.progress).toEqual({ [bob!.user.id]: { delivered: 1, read: 0 } });
    expect(await bobDevice.read(conversationId, 1)).toEqual({ ok: true });
    expect((await aliceList())[0]).toMatchObject({ id: conversationId, progress: { [bob!.user.id]: { delivered: 1, read: 1 } } });
    expect(sentId(sent)).toBe(bobDevice.messages[0]!.id);
    // Only the others' progress: Bob's own list says nothing of Bob, and Alice's device acknowledged nothing.
    const bobList = await server.api.withToken(bob!.token).typed().call(routes.conversations, {});
    expect(bobList[0]?.progress).toBeUndefined();
  });

  it.skipIf(!available)('delivers group messages to members only; a removed member receives nothing after removal', async () => {
    const [alice, bob, carol] = await people(3);
    const group = await server.api.withToken(alice!.token).typed().call(routes.createGroup, { body: { title: 'Team', members: [bob!.user.id, carol!.user.id] } });
    expect(group.members).toHaveLength(3);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    const carolDevice = await device(carol!.token);
    await aliceDevice.send({ conversationId: group.id }, 'before');
    await carolDevice.until(() => carolDevice.acked.get(group.id) === 1, 'the first group message, acknowledged');
    // A rename reaches every member's devices live.
    await server.api.withToken(alice!.token).typed().call(routes.renameGroup, { params: { id: group.id }, body: { title: 'Team B' } });
    for (const member of [aliceDevice, bobDevice, carolDevice]) await member.until(() => member.changed.includes(group.id), 'the rename');
    await server.api.withToken(alice!.token).typed().call(routes.removeGroupMember, { params: { id: group.id, userId: carol!.user.id } });
    // The removed member hears of it too, and the rest of the group.
    for (const member of [bobDevice, carolDevice]) await member.until(() => member.changed.length === 2, 'the removal');
    await aliceDevice.send({ conversationId: group.id }, 'after');
    await bobDevice.until(() => bobDevice.texts().join() === 'before,after', 'both messages for bob');
    carolDevice.close();
    const carolLater = await device(carol!.token);
    await sleep(400);
    expect(carolDevice.texts()).toEqual(['before']);
    expect(carolLater.texts()).toEqual([]);
    const refused = await carolLater.send({ conversationId: group.id }, 'let me in');
    expect(refused).toMatchObject({ error: { code: 'not_found' } });
    // Someone not in the creator's contacts cannot be added.
    const [outsider] = await people(1);
    const added = await server.api.withToken(alice!.token).route(routes.addGroupMember, { params: { id: group.id, userId: outsider!.user.id } });
    expect(added.status).toBe(403);
    expect(added.body).toMatchObject({ error: { code: 'not_a_contact' } });
    // Leaving is removing yourself.
    await server.api.withToken(bob!.token).typed().call(routes.removeGroupMember, { params: { id: group.id, userId: bob!.user.id } });
    const bobList = await server.api.withToken(bob!.token).typed().call(routes.conversations, {});
    expect(bobList.map((c) => c.id)).not.toContain(group.id);
  });

  it.skipIf(!available)('lets each person choose who may add them to groups: everyone who finds them, their contacts, or nobody', async () => {
    const [alice, bob, carol] = await people(3);
    // Dave has Carol's number; Carol does not have his.
    const [dave] = await people(1);
    await server.api.withToken(dave!.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'carol', phones: [carol!.phone] }] } });
    const createAs = (token: string, members: string[]) => server.api.withToken(token).route(routes.createGroup, { body: { title: 'Plans', members } });

    const mine = await server.api.withToken(carol!.token).typed().call(routes.updatePrivacy, { body: { groupAddsBy: 'contacts' } });
    expect(mine).toMatchObject({ groupAddsBy: 'contacts', activityVisibleTo: 'contacts', discoverable: true });
    const refused = await createAs(dave!.token, [carol!.user.id]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'group_add_refused', userIds: [carol!.user.id] } });
    expect(await server.api.withToken(dave!.token).typed().call(routes.conversations, {})).toEqual([]);
    // Alice is in Carol's contacts.
    const kept = await createAs(alice!.token, [bob!.user.id, carol!.user.id]);
    expect(kept.status).toBe(201);

    await server.api.withToken(carol!.token).typed().call(routes.updatePrivacy, { body: { groupAddsBy: 'nobody' } });
    const other = await server.api.withToken(alice!.token).typed().call(routes.createGroup, { body: { title: 'Other', members: [bob!.user.id] } });
    const add = await server.api.withToken(alice!.token).route(routes.addGroupMember, { params: { id: other.id, userId: carol!.user.id } });
    expect(add.status).toBe(403);
    expect(add.body).toMatchObject({ error: { code: 'group_add_refused' } });
    // A group Carol is in already stays hers.
    const carolsGroups = await server.api.withToken(carol!.token).typed().call(routes.conversations, {});
    expect(carolsGroups.map((conversation) => conversation.title)).toEqual(['Plans']);

    await server.api.withToken(carol!.token).typed().call(routes.updatePrivacy, { body: { groupAddsBy: 'everyone' } });
    expect((await createAs(dave!.token, [carol!.user.id])).status).toBe(201);
  });

  it.skipIf(!available)('routes by the receiver: SMS to a stranger only when asked, an SMS notice for an offline user', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const stranger = '+8613700137000';
    expect(await aliceDevice.send({ phone: stranger }, 'hi')).toMatchObject({ error: { code: 'not_a_user' } });
    const clientId = randomUUID();
    expect(await aliceDevice.send({ phone: stranger }, 'join me', { fallback: 'sms', clientId })).toEqual({ ok: true, route: 'sms', sms: true });
    await aliceDevice.send({ phone: stranger }, 'join me', { fallback: 'sms', clientId });
    const texts = await server.api.typed().call(routes.devSms, { query: { to: stranger } });
    expect(texts).toHaveLength(1);
    expect(texts[0]!.body).toContain(alice!.phone);
    expect(texts[0]!.body).toContain('join me');
    expect(await aliceDevice.send({ phone: bob!.phone }, 'are you there', { fallback: 'sms' })).toMatchObject({ ok: true, route: 'stored', sms: true });
    const notices = await server.api.typed().call(routes.devSms, { query: { to: bob!.phone } });
    expect(notices.some((sms) => sms.body.includes(alice!.phone) && !sms.body.includes('are you there'))).toBe(true);
  });

  it.skipIf(!available)('refuses a blocked sender and stores nothing', async () => {
    const [alice, bob] = await people(2);
    await server.api.withToken(bob!.token).typed().call(routes.block, { params: { userId: alice!.user.id } });
    const aliceDevice = await device(alice!.token);
    expect(await aliceDevice.send({ phone: bob!.phone }, 'let me talk')).toMatchObject({ error: { code: 'blocked' } });
    const bobDevice = await device(bob!.token);
    await sleep(300);
    expect(bobDevice.messages).toEqual([]);
    expect(await server.api.withToken(bob!.token).typed().call(routes.conversations, {})).toEqual([]);
  });

  it.skipIf(!available)('refuses the very next send after a block, however the receiver is addressed, once messages already flowed', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    // Each address once, so the sender's node knows where each goes.
    sentId(await aliceDevice.send({ phone: bob!.phone }, 'one'));
    sentId(await aliceDevice.send({ userId: bob!.user.id }, 'two'));
    await bobDevice.until(() => bobDevice.messages.length === 2, 'the first two');
    const conversationId = bobDevice.messages[0]!.conversationId;
    sentId(await aliceDevice.send({ conversationId }, 'three'));
    sentId(await bobDevice.send({ conversationId }, 'back'));
    await bobDevice.until(() => bobDevice.messages.length === 4, 'four messages');

    await server.api.withToken(bob!.token).typed().call(routes.block, { params: { userId: alice!.user.id } });
    for (const to of [{ phone: bob!.phone }, { userId: bob!.user.id }, { conversationId }]) {
      expect(await aliceDevice.send(to, 'after the block')).toMatchObject({ error: { code: 'blocked' } });
    }
    // The blocker cannot write to the one they blocked either.
    expect(await bobDevice.send({ conversationId }, 'me neither')).toMatchObject({ error: { code: 'blocked' } });
    await sleep(300);
    expect(bobDevice.texts()).toEqual(['one', 'two', 'three', 'back']);
    const history = await server.api.withToken(bob!.token).typed().call(routes.conversationMessages, { params: { id: conversationId }, query: { limit: 10 } });
    expect(history.messages.map((m) => m.seq)).toEqual([4, 3, 2, 1]);

    await server.api.withToken(bob!.token).typed().call(routes.unblock, { params: { userId: alice!.user.id } });
    expect(await aliceDevice.send({ phone: bob!.phone }, 'again')).toMatchObject({ ok: true, message: { seq: 5 } });
  });

  it.skipIf(!available)('follows a change of number at once: the old number reaches nobody, the sender shows the new one', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    const bobDevice = await device(bob!.token);
    sentId(await aliceDevice.send({ phone: bob!.phone }, 'to the old number'));
    sentId(await bobDevice.send({ phone: alice!.phone }, 'to alice'));
    await bobDevice.until(() => bobDevice.messages.length === 2, 'both messages');

    const bobsNewNumber = `+86139${String(40_000_000 + phoneCounter++ + (name === 'postgres' ? 5_000_000 : 0)).padStart(8, '0')}`;
    await server.api.withToken(bob!.token).typed().call(routes.changePhone, { body: { ticket: await verifyNumber(server.api, bobsNewNumber) } });
    expect(await aliceDevice.send({ phone: bob!.phone }, 'lost number')).toMatchObject({ error: { code: 'not_a_user' } });
    const reached = await aliceDevice.send({ phone: bobsNewNumber }, 'new number');
    expect(reached).toMatchObject({ ok: true, message: { seq: 3 } });

    const alicesNewNumber = `+86139${String(40_000_000 + phoneCounter++ + (name === 'postgres' ? 5_000_000 : 0)).padStart(8, '0')}`;
    await server.api.withToken(alice!.token).typed().call(routes.changePhone, { body: { ticket: await verifyNumber(server.api, alicesNewNumber) } });
    sentId(await aliceDevice.send({ phone: bobsNewNumber }, 'from my new number'));
    await bobDevice.until(() => bobDevice.texts().includes('from my new number'), 'the last message');
    expect(bobDevice.messages.filter((m) => m.from.userId === alice!.user.id).map((m) => [m.body, m.from.phone])).toEqual([
      [{ text: 'to the old number' }, alice!.phone],
      [{ text: 'new number' }, alice!.phone],
      [{ text: 'from my new number' }, alicesNewNumber],
    ]);
  });

  it.skipIf(!available)('answers every one of a burst of acknowledgements and keeps the highest, capped at what was sent', async () => {
    const [alice, bob] = await people(2);
    const aliceDevice = await device(alice!.token);
    for (let i = 1; i <= 20; i += 1) sentId(await aliceDevice.send({ phone: bob!.phone }, `m${i}`));
    const bobDevice = await device(bob!.token, false);
    await bobDevice.until(() => bobDevice.messages.length === 20, '20 messages');
    const conversationId = bobDevice.messages[0]!.conversationId;
    // Out of order and past the end: the cursor never moves back and stops at the last message sent.
    const upTos = [3, 1, 2, 7, 5, 20, 9, 500, 4];
    const answers = await Promise.all(upTos.map((upTo) => bobDevice.ack(conversationId, upTo)));
    expect(answers).toEqual(upTos.map(() => ({ ok: true })));
    await aliceDevice.until(() => aliceDevice.receipts.some((r) => r.state === 'delivered' && r.upTo === 20), 'the receipt up to 20');
    expect(Math.max(...aliceDevice.receipts.map((r) => r.upTo))).toBe(20);
    bobDevice.close();
    const back = await device(bob!.token, false);
    await sleep(300);
    expect(back.messages).toEqual([]);
    // Someone outside the conversation cannot move a cursor in it.
    const [stranger] = await people(1);
    const strangerDevice = await device(stranger!.token);
    expect(await strangerDevice.ack(conversationId, 1)).toMatchObject({ error: { code: 'not_found' } });
  });

  it.skipIf(!available)('answers a bad payload with a code', async () => {
    const [alice] = await people(1);
    const aliceDevice = await device(alice!.token);
    const answer: unknown = await aliceDevice.socket.timeout(5000).emitWithAck('message:send', { clientId: 'nope', to: {}, body: { text: '' } } as never);
    expect(answer).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it.skipIf(!available)('takes files by their bytes, not their claimed type, and shows them only to members of a conversation that holds them', async () => {
    const [alice, bob, carol] = await people(3);
    expect((await upload(server.url, undefined, picture, 'image/png')).status).toBe(401);
    const uploaded = await upload(server.url, alice!.token, picture, 'text/html');
    expect(uploaded).toMatchObject({ status: 201, body: { contentType: 'image/png', size: picture.length } });
    const attachmentId = String(uploaded.body.attachmentId);
    const fetchAs = (token: string, route: typeof routes.attachment | typeof routes.attachmentThumbnail = routes.attachment) =>
      fetch(server.url + routePath(route, { id: attachmentId }), { headers: { authorization: `Bearer ${token}` } });
    expect((await fetchAs(alice!.token)).status).toBe(200);
    expect((await fetchAs(bob!.token)).status).toBe(404);
    const aliceDevice = await device(alice!.token);
    expect(await aliceDevice.send({ phone: bob!.phone }, '', { body: { attachmentId, caption: 'look' } })).toMatchObject({ ok: true });
    const forBob = await fetchAs(bob!.token);
    expect(forBob.status).toBe(200);
    expect(forBob.headers.get('content-type')).toBe('image/png');
    expect(forBob.headers.get('x-content-type-options')).toBe('nosniff');
    // Saved under the name it was sent with.
    expect(fileNameOf(forBob.headers.get('content-disposition'))).toBe('photo.png');
    expect(Buffer.from(await forBob.arrayBuffer()).equals(picture)).toBe(true);
    expect((await fetchAs(carol!.token)).status).toBe(404);
    // Carol cannot smuggle someone else's file into her own message either.
    const carolDevice = await device(carol!.token);
    expect(await carolDevice.send({ phone: alice!.phone }, '', { body: { attachmentId } })).toMatchObject({ error: { code: 'not_found' } });
    // The preview is made after the upload was answered.
    let thumbnail = await fetchAs(bob!.token, routes.attachmentThumbnail);
    for (let tries = 0; thumbnail.status === 404 && tries < 50; tries += 1) {
      await sleep(100);
      thumbnail = await fetchAs(bob!.token, routes.attachmentThumbnail);
    }
    expect(thumbnail.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');

    const tooBig = await upload(server.url, alice!.token, new Uint8Array(attachmentLimit + 1).fill(65), 'text/plain');
    expect(tooBig).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    const program = await upload(server.url, alice!.token, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), 'image/png');
    expect(program).toMatchObject({ status: 415, body: { error: { code: 'unsupported_type' } } });
    expect(await upload(server.url, alice!.token, Buffer.from('plain words, 你好'), 'application/octet-stream')).toMatchObject({ status: 201, body: { contentType: 'text/plain' } });
  });
});
