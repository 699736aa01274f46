import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/test-server.js';

export const repoPluginsDir = fileURLToPath(new URL('../../plugins/', import.meta.url));

/** A copy of the repository's plugin folders (without the SDK), for a server whose catalogue a test edits. */
export function copyOfBuiltinPlugins(): string {
  const dir = tempDir('switchboard-catalogue-plugins-');
  for (const entry of fs.readdirSync(repoPluginsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'sdk' || entry.name === 'node_modules') continue;
    fs.cpSync(path.join(repoPluginsDir, entry.name), path.join(dir, entry.name), { recursive: true });
  }
  return dir;
}

/** Rewrites one plugin's manifest in a plugins folder, the way an operator publishes a new version. */
export function editManifest(pluginsDir: string, id: string, edit: (manifest: Record<string, unknown>) => Record<string, unknown>): void {
  const file = path.join(pluginsDir, id, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify(edit(manifest), null, 2) + '\n');
}

export type Tamper = (pathname: string, body: Buffer) => Buffer | undefined;

export interface TamperingProxy {
  url: string;
  /** Requests that reached the proxy, by path, so a test can tell what the client fetched. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the real server that passes everything through, headers included, except
 * where `tamper` answers other bytes for a path. It stands for whatever sits between the client and the
 * origin and could alter a response: a compromised CDN, a corporate TLS-inspecting proxy, a poisoned cache.
 */
export async function startTamperingProxy(upstream: string, tamper: Tamper, options: { forgeIntegrityHeader?: boolean } = {}): Promise<TamperingProxy> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const pathname = request.url ?? '/';
    requests.push(pathname);
    void (async () => {
      try {
        const answer = await fetch(new URL(pathname, upstream), { method: request.method ?? 'GET' });
        const original = Buffer.from(await answer.arrayBuffer());
        const body = tamper(pathname, original) ?? original;
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection' && name !== 'content-encoding') headers[name] = value;
        });
        // A thorough attacker also rewrites the integrity header of what it altered.
        if (options.forgeIntegrityHeader && body !== original && headers['x-content-integrity']) {
          headers['x-content-integrity'] = `sha256-${createHash('sha256').update(body).digest('base64')}`;
        }
        response.writeHead(answer.status, { ...headers, 'content-length': String(body.length) });
        response.end(body);
      } catch (error) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
