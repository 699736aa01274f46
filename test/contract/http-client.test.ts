import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '#common/contract/api-failure.js';
import { SwitchboardClient } from '#common/contract/http-client.js';
import { routes } from '#common/contract/routes.js';
import { AccountsApi, AccountsError } from '#core/accounts/server-api.js';
import { signIn, startTestServer, type TestServer } from '../support/test-server.js';

async function failureOf(call: Promise<unknown>): Promise<ApiFailure> {
  const error: unknown = await call.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof ApiFailure)) throw new Error(`expected an ApiFailure, got ${String(error)}`);
  return error;
}

/** A stand-in for a broken server (not a Switchboard server): answers every request with `answer`. */
async function brokenServer(answer: (res: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('the typed HTTP client', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('uploads raw bytes and reads a bytes route back, with the same credentials and error codes as call', async () => {
    const { token } = await signIn(server.api, '+8613800138779');
    const client = new SwitchboardClient({ baseUrl: server.url, token: () => token });
    const text = new TextEncoder().encode('plain words for the file route\n');
    const uploaded = await client.upload(routes.uploadAttachment, text, { 'x-file-name': 'notes.txt' });
    expect(uploaded).toMatchObject({ size: text.length, contentType: 'text/plain' });
    expect(await client.contentType(routes.attachment, { id: uploaded.attachmentId })).toMatch(/^text\/plain/);
    const downloaded = await client.bytes(routes.attachment, { id: uploaded.attachmentId });
    expect(downloaded.blob.size).toBe(text.length);
    // Not a picture: no thumbnail, answered as the contract's 404.
    expect((await failureOf(client.bytes(routes.attachmentThumbnail, { id: uploaded.attachmentId }))).status).toBe(404);
    const stranger = new SwitchboardClient({ baseUrl: server.url });
    expect((await failureOf(stranger.upload(routes.uploadAttachment, text))).status).toBe(401);
  });

  it('calls a route and answers what its schema parsed', async () => {
    const { token, user } = await signIn(server.api, '+8613800138777');
    const me = await server.client.withToken(token).call(routes.me, {});
    expect(me).toMatchObject({ id: user.id, phone: '+8613800138777', hasPassword: false });
    const devices = await server.client.withToken(token).call(routes.devices, {});
    expect(devices).toEqual([expect.objectContaining({ current: true, signedIn: true, blocked: false })]);
  });

  it('turns error answers into ApiFailure with the server code, and reports a dead session', async () => {
    let ended = 0;
    const client = new SwitchboardClient({ baseUrl: server.url, token: () => 'not-a-session', onUnauthorized: () => (ended += 1) });
    expect(await failureOf(client.call(routes.me, {}))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(ended).toBe(1);
    const anonymous = new SwitchboardClient({ baseUrl: server.url, onUnauthorized: () => (ended += 1) });
    expect(await failureOf(anonymous.call(routes.startVerification, { body: { phone: 'not a number' } }))).toMatchObject({ status: 400, code: 'invalid_phone' });
    expect(ended).toBe(1);
  });

  it('encodes path parameters, so an id cannot reach another route', async () => {
    expect(server.client.url(routes.startOAuth, { plugin: '../../me' }).pathname).toBe('/v1/me/accounts/..%2F..%2Fme/oauth/start');
    const { token } = await signIn(server.api, '+8613800138778');
    const accounts = new AccountsApi(server.url, token);
    // Unencoded, this id would turn the rest of the path into a query and start binding Slack.
    const refused: unknown = await accounts.start('slack/oauth/start?', { returnTo: 'switchboard://oauth/done' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AccountsError);
    expect(refused).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('says the server was not reached, or did not answer in time, with status 0', async () => {
    const closed = await brokenServer(() => undefined);
    await closed.close();
    expect(await failureOf(new SwitchboardClient({ baseUrl: closed.url }).call(routes.health, {}))).toMatchObject({ status: 0, code: 'network_unreachable', offline: true });

    const silent = await brokenServer(() => undefined);
    try {
      const failure = await failureOf(new SwitchboardClient({ baseUrl: silent.url, timeoutMs: 300 }).call(routes.health, {}));
      expect(failure).toMatchObject({ status: 0, code: 'network_unreachable' });
      expect(failure.message).toMatch(/in time/);
    } finally {
      await silent.close();
    }
  });

  it('refuses answers that do not match the contract', async () => {
    const wrongShape = await brokenServer((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": "yes"}'));
    const notJson = await brokenServer((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
    const proxyError = await brokenServer((res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>bad gateway</h1>'));
    try {
      expect(await failureOf(new SwitchboardClient({ baseUrl: wrongShape.url }).call(routes.health, {}))).toMatchObject({ status: 502, code: 'invalid_response' });
      expect(await failureOf(new SwitchboardClient({ baseUrl: notJson.url }).call(routes.health, {}))).toMatchObject({ status: 502, code: 'invalid_response' });
      expect(await failureOf(new SwitchboardClient({ baseUrl: proxyError.url }).call(routes.health, {}))).toMatchObject({ status: 502, code: 'http_502' });
    } finally {
      await Promise.all([wrongShape.close(), notJson.close(), proxyError.close()]);
    }
  });
});
