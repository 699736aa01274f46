import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '#common/contract/routes.js';
import { AddressApi } from '../support/from-address.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The development outbox lists every code: who may read it (issue 10, item 16). */
describe('development outbox', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function sendCode() {
    if (!server) throw new Error('no server');
    expect((await server.api.route(routes.startVerification, { body: { phone: '+8613800138000' } })).status).toBe(201);
  }

  async function outbox(origin?: string) {
    if (!server) throw new Error('no server');
    const client = new AddressApi(server.url, '127.0.0.1');
    return (origin ? client.withHeaders({ origin }) : client).route<unknown[]>(routes.devSms);
  }

  it('is never served to another origin with CORS *; the desktop app and loopback pages may read it', async () => {
    server = await startTestServer();
    await sendCode();
    const foreign = await outbox('https://evil.example');
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const desktop = await outbox('app://switchboard');
    expect(desktop.headers.get('access-control-allow-origin')).toBe('app://switchboard');
    const local = await outbox('http://localhost:5173');
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    // The rest of the API still answers any origin (bearer tokens, no cookies).
    const api = await new AddressApi(server.url, '127.0.0.1').withHeaders({ origin: 'https://evil.example' }).get('/healthz');
    expect(api.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('does not exist when HOST is not a loopback address, unless SMS_OUTBOX_PUBLIC=1', async () => {
    server = await startTestServer({ env: { HOST: '0.0.0.0' } });
    await sendCode();
    const refused = await outbox();
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ error: { code: 'not_found' } });
    await server.close();

    server = await startTestServer({ env: { HOST: '0.0.0.0', SMS_OUTBOX_PUBLIC: '1' } });
    await sendCode();
    const allowed = await outbox();
    expect(allowed.status).toBe(200);
    expect(allowed.body).toHaveLength(1);
  });
});
