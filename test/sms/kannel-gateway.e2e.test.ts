import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { KannelGateway } from '#server/features/sms/kannel-gateway.js';
import type { SmsGateway } from '#server/features/sms/sms-gateway.js';
import { splitSms } from '#server/features/sms/sms-text.js';
import { kannelAvailable, partText, startKannel, type Kannel, type ReceivedSms } from '../support/kannel.js';
import { MessageClient } from '../support/message-client.js';
import { startTestServer, testDevice, type TestServer } from '../support/test-server.js';

const kannelUp = await kannelAvailable();
const inboundKey = 'kannel-inbound-key-for-the-e2e-test';
const shortCode = '10086';

/** A part of a concatenated SMS: its header, and its payload as text. */
function part(sms: ReceivedSms): { reference: number; total: number; seq: number; text: string } {
  const udh = sms.udh ?? Buffer.alloc(0);
  return { reference: udh[3] ?? -1, total: udh[4] ?? -1, seq: udh[5] ?? -1, text: partText(sms.bytes ?? Buffer.alloc(0)) };
}

/**
 * Seed 004 for real: Debian's bearerbox and smsbox with the fake SMSC between the server and a "phone"
 * (fakesmsc). The phone signs in by SMS, chats with a user whose client is connected by socket.io, and
 * gets the answers as SMS, in Chinese both ways.
 */
describe.skipIf(!kannelUp)('the SMS gateway through Kannel', () => {
  let kannel: Kannel;
  let server: TestServer;
  const clients: MessageClient[] = [];
  // The server starts before Kannel (Kannel must know the server's inbound URL), so its gateway is bound
  // once Kannel is up: the real KannelGateway, reached through this late binding.
  const bound: { gateway?: SmsGateway } = {};
  const lateKannel: SmsGateway = {
    name: 'kannel',
    send: (to, body) => {
      if (!bound.gateway) throw new Error('Kannel is not up yet');
      return bound.gateway.send(to, body);
    },
  };

  beforeAll(async () => {
    server = await startTestServer({ sms: lateKannel, env: { SMS_INBOUND_SECRET: inboundKey, SMS_MAX_PARTS: '5' } });
    kannel = await startKannel({ inboundUrl: `${server.url}${routes.smsInbound.path}?key=${inboundKey}`, maxSmsOctets: 140 });
    bound.gateway = new KannelGateway({ sendUrl: kannel.sendsmsUrl, username: kannel.username, password: kannel.password, from: shortCode });
  }, 60_000);
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.close();
    await kannel?.stop();
  });

  /** The whole sign-in by code, with the code read from what the fake phone network received. */
  async function signInByKannel(phone: string) {
    const client = server.api.typed();
    const started = await client.call(routes.startVerification, { body: { phone } });
    const sms = await kannel.waitForSms((candidate) => candidate.to === phone && /\b\d{6}\b/.test(candidate.text));
    const code = /\b(\d{6})\b/.exec(sms.text)?.[1] ?? '';
    const { ticket } = await client.call(routes.checkCode, { params: { verificationId: started.verificationId }, body: { code } });
    const session = await client.call(routes.createSession, { body: { ticket, device: testDevice() } });
    return { token: session.token ?? '', user: session.user };
  }

  it('signs a phone in by SMS and chats with a user in Chinese both ways, long replies in concatenated parts', async () => {
    const bob = await signInByKannel('+8613800138000');
    expect((await server.api.withToken(bob.token).route(routes.setPassword, { body: { password: '我的密码 2026' } })).status).toBe(204);
    const alice = await signInByKannel('+8613900139000');
    const aliceDevice = new MessageClient(server.url, alice.token, { autoAck: true });
    clients.push(aliceDevice);
    await aliceDevice.connected();
    const toBob = (predicate: (sms: ReceivedSms) => boolean) => kannel.waitForMessage((sms) => sms.to === bob.user.phone && predicate(sms), 10_000);

    // Bob's phone has no data: it signs in with the seed's SMS, full-width punctuation and all.
    await kannel.phoneSends(bob.user.phone, shortCode, `账号：switchboard；用户名：${bob.user.phone}；密码：我的密码 2026`);
    const welcome = await toBob((sms) => sms.text.includes('已登录'));
    expect(welcome.text).toMatch(new RegExp(`^已登录 Switchboard（\\${bob.user.phone}）。`));
    expect(welcome.from).toBe(shortCode);

    await kannel.phoneSends(bob.user.phone, shortCode, `TO ${alice.user.phone} 你好，我在用短信！`);
    await aliceDevice.until(() => aliceDevice.texts().includes('你好，我在用短信！'), 'the SMS in Alice\'s client');
    expect(aliceDevice.messages.at(-1)?.from).toEqual({ userId: bob.user.id, phone: bob.user.phone });

    expect(await aliceDevice.send({ userId: bob.user.id }, '收到，晚上见。')).toMatchObject({ ok: true, route: 'stored' });
    const reply = await toBob((sms) => sms.text.includes('晚上见'));
    expect(reply.text).toBe(`[${alice.user.phone}] 收到，晚上见。`);

    // A bare reply goes back to Alice; an English one too.
    await kannel.phoneSends(bob.user.phone, shortCode, '好的，八点。');
    await aliceDevice.until(() => aliceDevice.texts().includes('好的，八点。'), 'the bare reply');
    await kannel.phoneSends(bob.user.phone, shortCode, 'see you there');
    await aliceDevice.until(() => aliceDevice.texts().includes('see you there'), 'the English reply');

    // 150 Chinese characters: Kannel splits the SMS into UCS-2 parts of 67, with concatenation headers,
    // exactly where the server's own splitter would.
    const long = `${'长消息'.repeat(50)}`;
    await aliceDevice.send({ userId: bob.user.id }, long);
    const relayed = `[${alice.user.phone}] ${long}`;
    const expected = splitSms(relayed);
    const { parts, text } = await toBob((sms) => sms.text.includes('长消息'));
    expect(text).toBe(relayed);
    expect(parts.map((sms) => part(sms).text)).toEqual(expected.parts);
    expect(parts.map((sms) => part(sms).seq)).toEqual([1, 2, 3]);
    expect(new Set(parts.map((sms) => part(sms).reference)).size).toBe(1);
    expect(expected.parts.map((text) => text.length)).toEqual([67, 67, 33]);

    await kannel.phoneSends(bob.user.phone, shortCode, 'HELP');
    await toBob((sms) => sms.text.startsWith('Switchboard by SMS'));
    await kannel.phoneSends(bob.user.phone, shortCode, 'LOGOUT');
    await toBob((sms) => sms.text === 'Signed out of Switchboard.');
  }, 90_000);
});
