import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { postgresAvailable } from '../support/services.js';
import { createPostgresSchema, signIn, startTestServer, testDevice, type TestServer } from '../support/test-server.js';

const pgUp = await postgresAvailable();

/**
 * Issue 12 item 3: inviting a non-user by SMS. The SMS (read from the development outbox, a stand-in for
 * the carrier) is in the inviter's language with the inviter's number; a number is invited at most once a
 * day even by parallel requests; the answer is the same whether or not the number is a user.
 */
describe.each([
  ['sqlite', true],
  ['postgres', pgUp],
] as const)('invitations on %s', (backend, available) => {
  let server: TestServer | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await server?.close();
    await drop?.();
  });

  async function start(): Promise<TestServer> {
    const schema = backend === 'postgres' ? await createPostgresSchema() : undefined;
    drop = schema?.drop;
    server = await startTestServer(schema === undefined ? {} : { storage: schema.storage });
    return server;
  }
  const outbox = (running: TestServer, to: string) => running.api.typed().call(routes.devSms, { query: { to } });

  it.skipIf(!available)('sends the SMS in the inviter\'s language with their number, the same answer for users and non-users', async () => {
    const running = await start();
    const alice = await signIn(running.api, '+8613800138031', testDevice('Alice'));
    await signIn(running.api, '+8613800138032', testDevice('Bob, a user'));
    const api = running.api.withToken(alice.token);
    const toStranger = await api.route(routes.createInvitation, { body: { phone: '+8613800138033', language: 'zh-CN' } });
    const toUser = await api.route(routes.createInvitation, { body: { phone: '+8613800138032', language: 'en' } });
    expect([toStranger.status, toStranger.body]).toEqual([201, { sent: true }]);
    expect([toUser.status, toUser.body]).toEqual([toStranger.status, toStranger.body]);
    const [sms] = await outbox(running, '+8613800138033');
    expect(sms?.body).toContain('+8613800138031 邀请你使用 Switchboard');
    expect((await outbox(running, '+8613800138032'))[0]?.body).toMatch(/^\+8613800138031 invites you to Switchboard/);

    expect((await api.route(routes.createInvitation, { body: { phone: '+8613800138031' } })).status).toBe(422);
    expect((await api.route(routes.createInvitation, { body: { phone: '138 0013 8033' } })).status).toBe(400);
  });

  it.skipIf(!available)('invites a number once a day, even from ten parallel requests of several inviters', async () => {
    const running = await start();
    const inviters = await Promise.all(['+8613800138041', '+8613800138042'].map((phone) => signIn(running.api, phone, testDevice(phone))));
    const target = '+8613800138049';
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) => running.api.withToken(inviters[index % 2]?.token ?? '').route(routes.createInvitation, { body: { phone: target } })),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(9);
    expect(answers.find((answer) => answer.status === 429)?.body).toMatchObject({ error: { code: 'too_many_requests' } });
    expect(await outbox(running, target)).toHaveLength(1);
  });
});
