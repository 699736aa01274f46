import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { signIn, startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { requireService } from '../support/services.js';

const opensslPresent = await requireService('openssl (to make a test certificate)', async () => {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
  return true;
});

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** M30: the server speaks HTTPS and WSS itself when given a certificate. */
describe.skipIf(!opensslPresent)('TLS', () => {
  let server: TestServer;
  let cert: Buffer;
  beforeAll(async () => {
    const dir = tempDir('switchboard-tls-');
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = fs.readFileSync(certFile);
    server = await startTestServer({ env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers over HTTPS only', async () => {
    expect(server.url).toMatch(/^https:\/\//);
    expect(await httpsGet(`${server.url}/healthz`, cert)).toEqual({ status: 200, body: '{"ok":true}' });
    await expect(fetch(server.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
    await expect(httpsGet(`${server.url}/healthz`, Buffer.from(''))).rejects.toThrow();
  });

  it('carries realtime over WSS', async () => {
    // Signing in needs HTTP calls that trust the test certificate; the Node global fetch cannot take a CA.
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    let me;
    try {
      me = await signIn(server.api, '+8613800138000');
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
    }
    const socket = connect(server.url, { auth: { token: me.token }, transports: ['websocket'], reconnection: false, forceNew: true, ca: cert.toString() });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  });
});
