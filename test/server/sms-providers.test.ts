import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KannelGateway } from '#server/features/sms/kannel-gateway.js';
import { kannelAvailable, startKannel, type Kannel } from '../support/kannel.js';
import { LogCapture, startTestServer, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

const kannelUp = await kannelAvailable();

type Captured = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

/**
 * A local HTTP stand-in for Twilio's API (Twilio cannot run here; Kannel can, and is tested for real
 * below). It checks each request the way the real service would and answers in its format.
 */
async function startStandIn(answer: (request: Captured) => { status: number; body: string }) {
  const requests: Captured[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const captured = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(captured);
      const { status, body: reply } = answer(captured);
      res.writeHead(status, { 'content-type': 'application/json' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const sid = 'AC00000000000000000000000000000001';
const authToken = 'twilio-auth-token-secret';

function twilioAnswer(request: Captured): { status: number; body: string } {
  const expectedAuth = 'Basic ' + Buffer.from(`${sid}:${authToken}`).toString('base64');
  if (request.headers.authorization !== expectedAuth) return { status: 401, body: JSON.stringify({ code: 20003, message: 'Authenticate' }) };
  if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${sid}/Messages.json`) return { status: 404, body: '{}' };
  if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') return { status: 400, body: '{}' };
  const form = new URLSearchParams(request.body);
  if (!/^\+\d{8,15}$/.test(form.get('To') ?? '')) return { status: 400, body: JSON.stringify({ code: 21211, message: "The 'To' number is not a valid phone number." }) };
  if (form.get('To') === '+8613900139000') return { status: 400, body: JSON.stringify({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }) };
  return { status: 201, body: JSON.stringify({ sid: 'SM123', status: 'queued', to: form.get('To'), body: form.get('Body') }) };
}

describe('SMS providers', () => {
  let server: TestServer | undefined;
  let standIn: Awaited<ReturnType<typeof startStandIn>> | undefined;
  afterEach(async () => {
    await server?.close();
    await standIn?.close();
  });

  it('twilio: sends the code through the Messages API, and the code never reaches a log', async () => {
    standIn = await startStandIn(twilioAnswer);
    const logs = new LogCapture();
    server = await startTestServer({
      logDestination: logs,
      env: { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM: '+15005550006', TWILIO_BASE_URL: standIn.url, LOG_LEVEL: 'trace' },
    });
    const started = await server.api.route<{ verificationId: string }>(routes.startVerification, { body: { phone: '+8613800138000' } });
    expect(started.status).toBe(201);
    expect(standIn.requests).toHaveLength(1);
    const form = new URLSearchParams(standIn.requests[0]?.body);
    expect(form.get('To')).toBe('+8613800138000');
    expect(form.get('From')).toBe('+15005550006');
    const code = /\b(\d{6})\b/.exec(form.get('Body') ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const checked = await server.api.route(routes.checkCode, { params: { verificationId: started.body.verificationId }, body: { code } });
    expect(checked.status).toBe(200);
    // Only the outbox serves the development endpoint.
    expect((await server.api.route(routes.devSms, { query: { to: '+8613800138000' } })).status).toBe(404);
    expect(logs.text()).toContain('switchboard server listening');
    expect(logs.text()).not.toContain(code);
    expect(logs.text()).not.toContain(authToken);
  });

  it('twilio: a refused message is a 503 and the next request starts afresh', async () => {
    standIn = await startStandIn(twilioAnswer);
    server = await startTestServer({
      env: { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM: 'MG0000000000000000000000000000000a', TWILIO_BASE_URL: standIn.url },
    });
    const refused = await server.api.route(routes.startVerification, { body: { phone: '+8613900139000' } });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(new URLSearchParams(standIn.requests[0]?.body).get('MessagingServiceSid')).toBe('MG0000000000000000000000000000000a');
    const ok = await server.api.route(routes.startVerification, { body: { phone: '+8613800138000' } });
    expect(ok.status).toBe(201);
  });

  it('twilio: wrong credentials are refused by the stand-in and reported as unavailable', async () => {
    standIn = await startStandIn(twilioAnswer);
    server = await startTestServer({
      env: { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'wrong', TWILIO_FROM: '+15005550006', TWILIO_BASE_URL: standIn.url },
    });
    expect((await server.api.route(routes.startVerification, { body: { phone: '+8613800138000' } })).status).toBe(503);
  });

  it('refuses to start a provider without its settings', async () => {
    await expect(startTestServer({ env: { SMS_PROVIDER: 'twilio' } })).rejects.toThrow(/TWILIO_ACCOUNT_SID/);
  });
});

describe.skipIf(!kannelUp)('SMS provider kannel (a real bearerbox, smsbox and fakesmsc)', () => {
  let kannel: Kannel | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    kannel = await startKannel();
  });
  afterAll(async () => {
    await kannel?.stop();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const started = (): Kannel => {
    if (!kannel) throw new Error('Kannel did not start');
    return kannel;
  };
  const kannelEnv = (password = started().password): Record<string, string> => ({
    SMS_PROVIDER: 'kannel',
    KANNEL_SEND_URL: started().sendsmsUrl,
    KANNEL_USERNAME: started().username,
    KANNEL_PASSWORD: password,
    KANNEL_FROM: 'Switchboard',
  });

  it('the code reaches the phone network whole, checks out over HTTP, and never reaches a log', async () => {
    const phone = '+8613800138000';
    const logs = new LogCapture();
    server = await startTestServer({ logDestination: logs, env: { ...kannelEnv(), LOG_LEVEL: 'trace' } });
    const begun = await server.api.route<{ verificationId: string }>(routes.startVerification, { body: { phone } });
    expect(begun.status).toBe(201);

    const sms = await started().waitForSms((message) => message.to === phone);
    expect(sms.from).toBe('Switchboard');
    // ASCII goes as GSM 7-bit, so the whole text fits one SMS (as UCS-2 Kannel cut it at 70 characters).
    expect(sms.text).toMatch(/^Your Switchboard code is \d{6}\. It expires in \d+ minutes\. Never share it\.$/);
    expect(sms.coding).toBe('text');
    const code = /\b(\d{6})\b/.exec(sms.text)?.[1] ?? '';

    const checked = await server.api.route<{ ticket: string }>(routes.checkCode, { params: { verificationId: begun.body.verificationId }, body: { code } });
    expect(checked.status).toBe(200);
    expect(checked.body.ticket).toEqual(expect.any(String));
    expect((await server.api.route(routes.devSms, { query: { to: '+8613800138000' } })).status).toBe(404);
    expect(logs.text()).toContain('switchboard server listening');
    expect(logs.text()).not.toContain(code);
    expect(logs.text()).not.toContain(started().password);
  });

  it('Chinese text goes through Kannel as UCS-2 and arrives unchanged', async () => {
    const phone = '+8613700137000';
    const body = '你的 Switchboard 验证码是 123456，请勿告诉他人。';
    const { sendsmsUrl, username, password } = started();
    await new KannelGateway({ sendUrl: sendsmsUrl, username, password, from: '10086' }).send(phone, body);
    const sms = await started().waitForSms((message) => message.to === phone);
    expect(sms).toEqual({ from: '10086', to: phone, coding: 'ucs-2', text: body });
  });

  it('a wrong password is refused by Kannel and answered 503 unavailable', async () => {
    const phone = '+8613600136000';
    const logs = new LogCapture();
    server = await startTestServer({ logDestination: logs, env: kannelEnv('not-the-password') });
    const refused = await server.api.route(routes.startVerification, { body: { phone } });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    expect(logs.text()).toContain('sms delivery failed');
    expect(logs.text()).toContain('403 Authorization failed for sendsms');
    expect(logs.text()).not.toContain('not-the-password');
    // Kannel sent nothing: a message sent afterwards with the right password is the first one to that number.
    await new KannelGateway({ sendUrl: started().sendsmsUrl, username: started().username, password: started().password, from: 'Switchboard' }).send(phone, 'after');
    await started().waitForSms((message) => message.to === phone);
    expect(started().received().filter((message) => message.to === phone).map((message) => message.text)).toEqual(['after']);
  });
});
