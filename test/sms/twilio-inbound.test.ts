import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { twilioSignature, validTwilioSignature } from '#server/features/sms/twilio-signature.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const sid = 'AC00000000000000000000000000000002';
const authToken = 'twilio-auth-token-for-inbound';
const publicUrl = 'https://sms.example.com';

/**
 * A local stand-in for Twilio's Messages API (Twilio cannot run here): it records every SMS the server
 * asks it to send, after checking the credentials as Twilio would.
 */
async function startTwilioStandIn() {
  const sent: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const expected = 'Basic ' + Buffer.from(`${sid}:${authToken}`).toString('base64');
      if (req.headers.authorization !== expected) return res.writeHead(401).end('{}');
      sent.push(new URLSearchParams(body));
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: 'SM1', status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sent, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the Twilio signature (HMAC-SHA1 of the URL and the sorted POST parameters)', () => {
  // The worked example of Twilio's request-validation documentation and its helper libraries' tests.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };

  it('reproduces Twilio\'s published vectors', () => {
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioSignature('12345', url, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] })).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('fails for any change of token, URL, parameter, or signature', () => {
    expect(validTwilioSignature('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
    expect(validTwilioSignature('54321', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(validTwilioSignature('12345', `${url}&x=1`, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(validTwilioSignature('12345', url, { ...params, Digits: '9999' }, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(validTwilioSignature('12345', url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=')).toBe(false);
    expect(validTwilioSignature('12345', url, params, undefined)).toBe(false);
  });
});

describe('Twilio inbound webhook', () => {
  let server: TestServer;
  let standIn: Awaited<ReturnType<typeof startTwilioStandIn>>;

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    server = await startTestServer({
      env: {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: sid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_FROM: '+15005550006',
        TWILIO_BASE_URL: standIn.url,
        PUBLIC_URL: publicUrl,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await standIn?.close();
  });

  const post = (form: Record<string, string>, signature: string | undefined) =>
    fetch(server.url + routes.twilioInbound.path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(form).toString(),
    });

  it('answers a signed SMS with empty TwiML and sends the reply through the Messages API, once per MessageSid', async () => {
    const form = { MessageSid: 'SM0000000000000000000000000000001', AccountSid: sid, From: '+8613700137001', To: '+15005550006', Body: '帮助', NumSegments: '1' };
    const answer = await post(form, twilioSignature(authToken, publicUrl + routes.twilioInbound.path, form));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await answer.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(standIn.sent.map((sms) => [sms.get('To'), sms.get('Body')])).toEqual([['+8613700137001', expect.stringMatching(/^Switchboard：用短信聊天请先登录/)]]);

    // Twilio retries a webhook that timed out: the same MessageSid is not answered twice.
    expect((await post(form, twilioSignature(authToken, publicUrl + routes.twilioInbound.path, form))).status).toBe(200);
    expect(standIn.sent).toHaveLength(1);
  });

  it('refuses a forged, tampered, missing or misaddressed signature and sends nothing', async () => {
    const before = standIn.sent.length;
    const form = { MessageSid: 'SM0000000000000000000000000000002', From: '+8613700137002', To: '+15005550006', Body: 'HELP' };
    const signed = twilioSignature(authToken, publicUrl + routes.twilioInbound.path, form);
    const attempts = [
      post(form, twilioSignature('someone-elses-token', publicUrl + routes.twilioInbound.path, form)),
      post({ ...form, Body: 'STOP' }, signed),
      post({ ...form, From: '+8613700137003' }, signed),
      post(form, undefined),
      post(form, twilioSignature(authToken, server.url + routes.twilioInbound.path, form)),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect(standIn.sent).toHaveLength(before);
  });

  it('has no gateway route without SMS_INBOUND_SECRET and no outbox phone', async () => {
    expect((await server.api.route(routes.smsInbound, { body: { from: '+8613700137004', text: 'hi' } })).status).toBe(404);
    expect((await server.api.route(routes.devSmsInbound, { body: { from: '+8613700137004', text: 'hi' } })).status).toBe(404);
  });
});
