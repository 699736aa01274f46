import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { webClientCsp, webClientRouter } from '#server/http/web-client.js';
import { tempDir } from '../support/test-server.js';
import { apiPrefix } from '#common/contract/route.js';

const servers: http.Server[] = [];

/** The router as server.ts mounts it: after the API, before a JSON 404. */
async function serve(distDir: string): Promise<string> {
  const app = express();
  app.get(`${apiPrefix}/ping`, (_req, res) => void res.json({ pong: true }));
  app.use(webClientRouter({ distDir }));
  app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found', message: 'no route' } }));
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function builtClient(): string {
  const dir = tempDir('switchboard-web-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-abc.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'app-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => undefined)');
  return dir;
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('serving the web client', () => {
  it('says how to build it when renderer/dist is missing, without hiding the API', async () => {
    const base = await serve(path.join(tempDir(), 'no-dist'));
    const page = await fetch(base + '/', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build:web');
    expect(page.headers.get('content-security-policy')).toBe(webClientCsp);
    expect(await (await fetch(`${base}${apiPrefix}/ping`)).json()).toEqual({ pong: true });
  });

  it('answers page paths with index.html under a strict CSP, and hashed assets with a long cache', async () => {
    const base = await serve(builtClient());
    const deepLink = await fetch(base + '/contacts/alice', { headers: html });
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<div id="root">');
    expect(deepLink.headers.get('cache-control')).toBe('no-cache');
    const csp = deepLink.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    const asset = await fetch(base + '/assets/app-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('serves the offline shell worker at the root, for the whole app and never cached stale', async () => {
    const base = await serve(builtClient());
    const worker = await fetch(base + '/sw.js');
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    expect(worker.headers.get('service-worker-allowed')).toBe('/');
    expect(worker.headers.get('content-security-policy')).toBe(webClientCsp);
    const missing = await serve(path.join(tempDir(), 'no-dist'));
    expect((await fetch(missing + '/sw.js')).status).toBe(404);
  });

  it('leaves API paths, missing assets and non-page requests to the JSON 404', async () => {
    const base = await serve(builtClient());
    for (const [pathname, headers] of [
      [`${apiPrefix}/unknown`, html],
      ['/socket.io/nothing', html],
      ['/assets/missing.js', html],
      ['/favicon.ico', { accept: 'image/*' }],
    ] as const) {
      const response = await fetch(base + pathname, { headers });
      expect(response.status, pathname).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const post = await fetch(base + '/contacts', { method: 'POST', headers: html });
    expect(post.status).toBe(404);
  });
});
