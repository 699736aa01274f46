import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { MessageClient } from '../support/message-client.js';
import { postgresAvailable } from '../support/services.js';
import { OutboxPhone } from '../support/sms-phone.js';
import { createPostgresSchema, signIn, startTestServer, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();
const backends = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: pgUp },
] as const;

const inboundKey = 'inbound-secret-for-the-sms-tests';
let numberCounter = 0;
/** Distinct valid Chinese mobile numbers per test run. */
function newNumber(): string {
  numberCounter += 1;
  return `+86139${String(process.pid % 1000).padStart(3, '0')}${String(numberCounter).padStart(5, '0')}`;
}

/** The SMS gateway (seed 004) and the SMS fallback (M24) through the outbox, on SQLite and PostgreSQL. */
describe.each(backends)('SMS gateway on $name', ({ name, available }) => {
  let server: TestServer;
  let dropSchema: (() => Promise<void>) | undefined;
  const clients: MessageClient[] = [];

  beforeAll(async () => {
    if (!available) return;
    const env = {
      SMS_INBOUND_SECRET: inboundKey,
      PUBLIC_URL: 'https://switchboard.example.com',
      MESSAGE_SMS_PER_SENDER_PER_DAY: '5',
      SMS_PER_RECEIVER_PER_DAY: '3',
      SMS_HELP_PER_PHONE_PER_DAY: '2',
      SMS_MAX_PARTS: '3',
    };
    const limits = { passwordSlowDownAfterPerAddress: 2, passwordSlowDownAfterPerPhone: 50, passwordMaxDelayMs: 60 * 60_000 };
    if (name === 'postgres') {
      const schema = await createPostgresSchema();
      dropSchema = schema.drop;
      server = await startTestServer({ storage: schema.storage, env, limits });
    } else server = await startTestServer({ env, limits });
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.close();
    await dropSchema?.();
  });

  async function user(password?: string) {
    const signedIn = await signIn(server.api, newNumber());
    if (password !== undefined) {
      const answer = await server.api.withToken(signedIn.token).route(routes.setPassword, { body: { password } });
      expect(answer.status).toBe(204);
    }
    return { ...signedIn, phone: signedIn.user.phone };
  }

  async function online(token: string): Promise<MessageClient> {
    const client = new MessageClient(server.url, token, { autoAck: true });
    clients.push(client);
    return client.connected();
  }

  it.skipIf(!available)('falls back to an SMS with the sender\'s number and an invitation, cut to the longest allowed', async () => {
    const alice = await user();
    const device = await online(alice.token);
    const stranger = new OutboxPhone(server.api, newNumber());
    expect(await device.send({ phone: stranger.number }, 'see you at 8', { fallback: 'sms' })).toEqual({ ok: true, route: 'sms', sms: true });
    const [plain] = await stranger.received();
    expect(plain).toBe(`${alice.phone} via Switchboard: see you at 8\nReply free: https://switchboard.example.com Reply STOP to opt out`);

    expect(await device.send({ phone: stranger.number }, '今晚八点见', { fallback: 'sms' })).toMatchObject({ ok: true, sms: true });
    expect(await stranger.received()).toEqual([`${alice.phone} 通过 Switchboard 发来：今晚八点见\n免费回复：https://switchboard.example.com 回复TD退订`]);

    // A user with no device online gets a notice (without the text), in Chinese for a Chinese number.
    const offline = await user();
    expect(await device.send({ userId: offline.user.id }, 'private words', { fallback: 'sms' })).toMatchObject({ ok: true, route: 'stored', sms: true });
    const [notice] = await new OutboxPhone(server.api, offline.phone).inbox().then((inbox) => inbox.slice(-1).map((sms) => sms.body));
    expect(notice).toBe(`${alice.phone} 在 Switchboard 上给你发了消息，打开应用查看。回复TD退订`);

    // 3,000 Chinese characters would be 45 SMS: the text is cut so the whole fits in 3 parts of 67
    // (SMS_MAX_PARTS), which is all one number may receive a day here (SMS_PER_RECEIVER_PER_DAY).
    const bigSender = await user();
    const other = new OutboxPhone(server.api, newNumber());
    expect(await (await online(bigSender.token)).send({ phone: other.number }, '长'.repeat(3000), { fallback: 'sms' })).toMatchObject({ ok: true, sms: true });
    const [long = ''] = await other.received();
    expect(long.startsWith(`${bigSender.phone} 通过 Switchboard 发来：长长`)).toBe(true);
    expect(long).toContain('…\n免费回复：');
    expect(long.length).toBeLessThanOrEqual(3 * 67);
    expect(long.length).toBeGreaterThan(3 * 67 - 3);
  });

  it.skipIf(!available)('STOP (or 退订) stops every SMS to the number until START; the sender is told', async () => {
    const alice = await user();
    const device = await online(alice.token);
    const stranger = new OutboxPhone(server.api, newNumber());
    expect((await stranger.sms('STOP')).status).toBe(200);
    expect(await stranger.received()).toEqual(['You will get no more SMS from Switchboard. Reply START to receive them again.']);
    const refused = await device.send({ phone: stranger.number }, 'hello?', { fallback: 'sms' });
    expect(refused).toMatchObject({ error: { code: 'sms_opted_out' } });
    // A second STOP is not news, and anything else from the number gets no answer.
    await stranger.sms('stop');
    await stranger.sms('what is this');
    expect(await stranger.nothingNew()).toEqual([]);

    await stranger.sms('START');
    expect(await stranger.received()).toEqual(['You will receive SMS from Switchboard again. Reply STOP to opt out.']);
    expect(await device.send({ phone: stranger.number }, 'hello again', { fallback: 'sms' })).toMatchObject({ ok: true, sms: true });
    expect((await stranger.received())[0]).toContain('hello again');

    const chinese = new OutboxPhone(server.api, newNumber());
    await chinese.sms(' 退订 ');
    expect(await chinese.received()).toEqual(['已退订，您将不再收到 Switchboard 的短信。回复 START 恢复。']);
    expect(await device.send({ phone: chinese.number }, '你好', { fallback: 'sms' })).toMatchObject({ error: { code: 'sms_opted_out' } });
  });

  it.skipIf(!available)('holds the per-sender and per-receiver daily caps under parallel sends', async () => {
    const alice = await user();
    const device = await online(alice.token);
    const strangers = Array.from({ length: 12 }, () => newNumber());
    const answers = await Promise.all(strangers.map((phone) => device.send({ phone }, 'hi', { fallback: 'sms' })));
    expect(answers.filter((answer) => 'ok' in answer).length).toBe(5);
    expect(answers.filter((answer) => 'error' in answer && answer.error.code === 'too_many_requests').length).toBe(7);

    const target = new OutboxPhone(server.api, newNumber());
    const senders = await Promise.all(Array.from({ length: 8 }, async () => online((await user()).token)));
    const toOne = await Promise.all(senders.map((sender) => sender.send({ phone: target.number }, 'hey', { fallback: 'sms' })));
    expect(toOne.filter((answer) => 'ok' in answer).length).toBe(3);
    expect(await target.received(3)).toHaveLength(3);
    expect(await target.nothingNew()).toEqual([]);
  });

  it.skipIf(!available)('signs a phone in with the account password, by number or user id, full-width or ASCII', async () => {
    const bob = await user('correct horse battery');
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${bob.phone};密码：correct horse battery`);
    expect(await phone.received()).toEqual([expect.stringContaining(`已登录 Switchboard（${bob.phone}）`)]);

    const other = new OutboxPhone(server.api, newNumber());
    await other.sms(` account : switchboard ; username : ${bob.user.id} ; password : correct horse battery `);
    expect(await other.received()).toEqual([expect.stringContaining(`Signed in to Switchboard (${bob.phone})`)]);

    // The national form of the number, with ASCII punctuation and Chinese keys.
    const third = new OutboxPhone(server.api, newNumber());
    await third.sms(`账号:switchboard；用户名: ${bob.phone.slice(3)} ；密码：correct horse battery`);
    expect(await third.received()).toEqual([expect.stringContaining('已登录')]);

    const devices = await server.api.withToken(bob.token).route<{ name: string; platform: string }[]>(routes.devices);
    expect(devices.body.filter((d) => d.platform === 'sms').map((d) => d.name).sort()).toEqual([`SMS ${phone.number}`, `SMS ${other.number}`, `SMS ${third.number}`].sort());
  });

  it.skipIf(!available)('refuses a wrong password and an unknown account alike, slows guessing down, explains a malformed sign-in', async () => {
    const carol = await user('the right password');
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard；用户名：${carol.phone}；密码：wrong one`);
    await phone.sms(`账号：switchboard；用户名：${newNumber()}；密码：wrong one`);
    expect(await phone.received(2)).toEqual(['用户名或密码不正确。', '用户名或密码不正确。']);
    // The throttle of password sign-in, with the phone as the address: now even the right password waits.
    await phone.sms(`账号：switchboard；用户名：${carol.phone}；密码：wrong again`);
    await phone.sms(`账号：switchboard；用户名：${carol.phone}；密码：the right password`);
    const [third, fourth] = await phone.received(2);
    expect(third).toBe('用户名或密码不正确。');
    expect(fourth).toMatch(/^尝试次数过多，请 \d+ 分钟后再试。$/);

    await phone.sms('账号：switchboard；密码：x');
    await phone.sms('account:switchboard;username:;password:');
    expect(await phone.received(2)).toEqual(['登录格式：账号：switchboard;用户名：<手机号>;密码：<密码>', 'To sign in, send: account:switchboard;username:<your number>;password:<password>']);
  });

  it.skipIf(!available)('chats by SMS: TO and @ reach a user, replies come back as SMS, a bare text answers the last one', async () => {
    const dan = await user('dan password 123');
    const erin = await user();
    const erinDevice = await online(erin.token);
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${dan.phone};密码：dan password 123`);
    await phone.received();

    await phone.sms(`TO ${erin.phone} 你好，我在用短信`);
    await erinDevice.until(() => erinDevice.texts().includes('你好，我在用短信'), 'the SMS as a chat message');
    const first = erinDevice.messages.at(-1);
    expect(first?.from).toEqual({ userId: dan.user.id, phone: dan.phone });

    // Dan has no device online: Erin's reply goes to the phone, with her number in front.
    expect(await erinDevice.send({ userId: dan.user.id }, '收到！Got it')).toMatchObject({ ok: true, route: 'stored' });
    expect(await phone.received()).toEqual([`[${erin.phone}] 收到！Got it`]);
    await erinDevice.until(() => erinDevice.receipts.some((r) => r.state === 'delivered' && r.by === dan.user.id), 'a delivered receipt from the phone');

    await phone.sms('bare reply');
    await erinDevice.until(() => erinDevice.texts().includes('bare reply'), 'the bare reply');
    await phone.sms(`@${erin.phone.slice(3)} national number`);
    await erinDevice.until(() => erinDevice.texts().includes('national number'), 'the @ message');

    await phone.sms(`TO ${newNumber()} hello`);
    expect((await phone.received())[0]).toMatch(/does not use Switchboard/);
    await phone.sms('TO');
    expect(await phone.received()).toEqual(['Format: TO <number> <text>']);

    // With a device of Dan's online, messages reach the device, not the phone.
    const danDevice = await online(dan.token);
    await erinDevice.send({ userId: dan.user.id }, 'to the app');
    await danDevice.until(() => danDevice.texts().includes('to the app'), 'the message in the app');
    expect(await phone.nothingNew()).toEqual([]);
    danDevice.close();
  });

  it.skipIf(!available)('relays a group message with the group name, and a bare reply goes back to the group', async () => {
    const gus = await user('gus password 12');
    const hana = await user();
    const ivan = await user();
    const [hanaDevice, ivanDevice] = [await online(hana.token), await online(ivan.token)];
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${gus.phone};密码：gus password 12`);
    await phone.received();

    // Only her contacts may be added to her group.
    await server.api.withToken(hana.token).typed().call(routes.replaceAddressBook, { body: { entries: [gus, ivan].map(({ phone }) => ({ ref: phone, phones: [phone] })) } });
    const group = await server.api.withToken(hana.token).typed().call(routes.createGroup, { body: { title: '家人 Family', members: [gus.user.id, ivan.user.id] } });
    await hanaDevice.send({ conversationId: group.id }, '晚饭七点');
    expect(await phone.received()).toEqual([`[家人 Family · ${hana.phone}] 晚饭七点`]);
    // A direct message still has the number alone in front.
    await ivanDevice.send({ userId: gus.user.id }, 'just us');
    expect(await phone.received()).toEqual([`[${ivan.phone}] just us`]);

    await ivanDevice.send({ conversationId: group.id }, 'who brings dessert?');
    expect(await phone.received()).toEqual([`[家人 Family · ${ivan.phone}] who brings dessert?`]);
    await phone.sms('我带');
    for (const device of [hanaDevice, ivanDevice]) {
      await device.until(() => device.messages.some((m) => m.conversationId === group.id && 'text' in m.body && m.body.text === '我带'), 'the bare reply in the group');
    }
    hanaDevice.close();
    ivanDevice.close();
  });

  it.skipIf(!available)('HELP and LOGOUT in both languages; a phone that is not signed in gets a short, limited help', async () => {
    const fay = await user('fay password 1');
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${fay.phone};密码：fay password 1`);
    await phone.received();
    await phone.sms('帮助');
    await phone.sms('help');
    const [zh, en] = await phone.received(2);
    expect(zh).toMatch(/^Switchboard 短信：TO 号码 内容/);
    expect(en).toMatch(/^Switchboard by SMS: TO <number> <text>/);
    await phone.sms('退出');
    expect(await phone.received()).toEqual(['已退出 Switchboard。']);
    const devices = await server.api.withToken(fay.token).route<{ platform: string; signedIn: boolean }[]>(routes.devices);
    expect(devices.body.find((d) => d.platform === 'sms')?.signedIn).toBe(false);

    // Not signed in: the same help whether the number is a user's (Fay's own) or nobody's, twice a day at most.
    const fayOwn = new OutboxPhone(server.api, fay.phone);
    const nobody = new OutboxPhone(server.api, newNumber());
    await fayOwn.nothingNew(0); // her sign-in code
    for (const someone of [fayOwn, nobody]) {
      await someone.sms('hello?');
      await someone.sms('anyone?');
      await someone.sms('hello??');
    }
    const fayHelp = await fayOwn.received(2);
    const nobodyHelp = await nobody.received(2);
    expect(fayHelp).toEqual(nobodyHelp);
    expect(fayHelp).toEqual([expect.stringMatching(/^Switchboard: to chat by SMS, sign in first/), expect.stringMatching(/^Switchboard: to chat by SMS/)]);
    expect(await fayOwn.nothingNew()).toEqual([]);
  });

  it.skipIf(!available)('the owner signing the phone out in the app ends the SMS session', async () => {
    const gil = await user('gil password 1');
    const hal = await user();
    const halDevice = await online(hal.token);
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${gil.phone};密码：gil password 1`);
    await phone.received();
    const devices = await server.api.withToken(gil.token).route<{ id: string; platform: string }[]>(routes.devices);
    const smsDevice = devices.body.find((d) => d.platform === 'sms');
    expect(smsDevice).toBeDefined();
    expect((await server.api.withToken(gil.token).route(routes.signOutDevice, { params: { deviceId: smsDevice?.id ?? '' } })).status).toBe(204);
    await halDevice.send({ userId: gil.user.id }, 'still there?');
    expect(await phone.nothingNew()).toEqual([]);
    await phone.sms(`TO ${hal.phone} hi`);
    expect(await phone.received()).toEqual([expect.stringMatching(/^Switchboard: to chat by SMS, sign in first/)]);
  });

  it.skipIf(!available)('drops an inbound SMS the gateway repeats (same id, or same sender, time and text), even in parallel', async () => {
    const ivy = await user('ivy password 1');
    const jon = await user();
    const jonDevice = await online(jon.token);
    const phone = new OutboxPhone(server.api, newNumber());
    await phone.sms(`账号：switchboard;用户名：${ivy.phone};密码：ivy password 1`);
    await phone.received();

    const id = randomUUID();
    const sent = await Promise.all(Array.from({ length: 6 }, () => phone.sms(`TO ${jon.phone} once only`, { id })));
    expect(sent.map((answer) => answer.body.duplicate).filter((duplicate) => !duplicate)).toHaveLength(1);
    const ts = String(Math.floor(Date.now() / 1000));
    expect((await phone.sms('twice?', { ts })).body.duplicate).toBe(false);
    expect((await phone.sms('twice?', { ts })).body.duplicate).toBe(true);
    // The same words at another time are a new message.
    expect((await phone.sms('twice?', { ts: String(Number(ts) + 5) })).body.duplicate).toBe(false);
    await jonDevice.until(() => jonDevice.texts().filter((text) => text === 'twice?').length === 2, 'both distinct messages');
    expect(jonDevice.texts().filter((text) => text === 'once only')).toHaveLength(1);
    expect(jonDevice.texts().filter((text) => text === 'twice?')).toHaveLength(2);
  });

  it.skipIf(!available)('POST /v1/sms/inbound takes a form, JSON or Kannel\'s text body, only with the key', async () => {
    const phones = Array.from({ length: 5 }, () => new OutboxPhone(server.api, newNumber()));
    const [byForm, byJson, byText, byGet, refused] = phones as [OutboxPhone, OutboxPhone, OutboxPhone, OutboxPhone, OutboxPhone];
    const post = (query: string, body: string, headers: Record<string, string>) =>
      fetch(`${server.url}${routes.smsInbound.path}${query}`, { method: 'POST', headers, body });
    const formOf = (from: string) => new URLSearchParams({ from, to: '10086', text: 'hi there' }).toString();
    const formType = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await post('', formOf(refused.number), formType)).status).toBe(401);
    expect((await post('?key=wrong-key-of-some-length', formOf(refused.number), formType)).status).toBe(401);
    expect((await post('', formOf(refused.number), { ...formType, 'x-sms-key': 'wrong-key-of-some-length' })).status).toBe(401);
    expect((await post(`?key=${inboundKey}`, formOf(byForm.number), formType)).status).toBe(204);
    // Without the "+": an SMSC may give the number as digits only.
    expect((await post('', JSON.stringify({ from: byJson.number.slice(1), text: 'json' }), { 'content-type': 'application/json', 'x-sms-key': inboundKey })).status).toBe(204);
    const kannel = `?key=${inboundKey}&from=${encodeURIComponent(byText.number)}&to=10086&ts=1795857831&id=${randomUUID()}`;
    expect((await post(kannel, '帮助', { 'content-type': 'text/plain; charset="UTF-8"' })).status).toBe(204);
    const viaGet = await fetch(`${server.url}${routes.smsInboundByGet.path}?key=${inboundKey}&from=${encodeURIComponent(byGet.number)}&text=${encodeURIComponent('help')}`);
    expect(viaGet.status).toBe(204);
    expect((await post(`?key=${inboundKey}`, JSON.stringify({ from: 'not a number', text: 'x' }), { 'content-type': 'application/json' })).status).toBe(400);

    expect(await byForm.received()).toEqual([expect.stringMatching(/^Switchboard: to chat by SMS/)]);
    expect(await byJson.received()).toEqual([expect.stringMatching(/^Switchboard: to chat by SMS/)]);
    expect(await byText.received()).toEqual([expect.stringMatching(/^Switchboard：用短信聊天请先登录/)]);
    expect(await byGet.received()).toEqual([expect.stringMatching(/^Switchboard: to chat by SMS/)]);
    expect(await refused.nothingNew()).toEqual([]);
  });
});
