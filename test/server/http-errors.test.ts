import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';
import { apiPrefix } from '#common/contract/route.js';

/** Bad input of every kind gets a clear error with a machine-readable code, and the server keeps serving. */
describe('HTTP error handling', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers /healthz', async () => {
    expect(await server.api.get('/healthz')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('rejects invalid JSON, wrong shapes and unknown routes with codes', async () => {
    const invalidJson = await server.api.route(routes.startVerification, { body: '{"phone": ' });
    expect(invalidJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json', message: expect.any(String) } } });
    const wrongShape = await server.api.route(routes.startVerification, { body: { phone: 12 } });
    expect(wrongShape).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', issues: [{ path: 'phone' }] } } });
    const badRegion = await server.api.route(routes.startVerification, { body: { phone: '13800138000', region: 'China' } });
    expect(badRegion.body).toMatchObject({ error: { code: 'validation_failed' } });
    const unknownRegion = await server.api.route(routes.startVerification, { body: { phone: '13800138000', region: 'ZZ' } });
    expect(unknownRegion.body).toMatchObject({ error: { code: 'invalid_phone', reason: 'unknown_region' } });
    const missingDevice = await server.api.route(routes.createSession, { body: { ticket: 'x' } });
    expect(missingDevice.body).toMatchObject({ error: { code: 'validation_failed', issues: [{ path: 'device' }] } });
    expect(await server.api.get(`${apiPrefix}/nothing-here`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('limits the body size', async () => {
    const huge = JSON.stringify({ phone: '1'.repeat(3 * 1024 * 1024) });
    const answer = await server.api.route(routes.startVerification, { body: huge });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect((await server.api.get('/healthz')).status).toBe(200);
  });
});

describe('cross-origin clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a preflight from another origin (the desktop renderer) and marks API answers readable', async () => {
    const preflight = await fetch(server.url + routes.startVerification.path, {
      method: 'OPTIONS',
      headers: { origin: 'app://switchboard', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const answer = await fetch(`${server.url}/healthz`, { headers: { origin: 'app://switchboard' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });
});
