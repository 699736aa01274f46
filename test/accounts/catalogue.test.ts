import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueResponse } from '#common/contract/accounts.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { routes } from '#common/contract/routes.js';

const pluginsDir = fileURLToPath(new URL('../../plugins/', import.meta.url));

describe('the plugin catalogue', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('serves every built-in manifest with a sha256 integrity of its exact bytes', async () => {
    const answer = await server.api.route(routes.plugins);
    expect(answer.status).toBe(200);
    const { plugins } = catalogueResponse.parse(answer.body);
    const onDisk = fs.readdirSync(pluginsDir).filter((name) => fs.existsSync(`${pluginsDir}${name}/manifest.json`)).sort();
    expect(plugins.map((plugin) => plugin.id)).toEqual(onDisk);

    for (const plugin of plugins) {
      const bytes = fs.readFileSync(`${pluginsDir}${plugin.id}/manifest.json`);
      expect(plugin.integrity).toBe(`sha256-${createHash('sha256').update(bytes).digest('base64')}`);
      expect(plugin.manifest).toEqual(JSON.parse(bytes.toString('utf8')));
      const served = await fetch(server.url + plugin.manifestUrl);
      expect(served.headers.get('x-content-integrity')).toBe(plugin.integrity);
      const servedBytes = Buffer.from(await served.arrayBuffer());
      expect(`sha256-${createHash('sha256').update(servedBytes).digest('base64')}`).toBe(plugin.integrity);
    }
    expect(JSON.stringify(answer.body)).not.toMatch(/clientSecret|client_secret/);
  });

  it('answers not_found for an unknown plugin', async () => {
    expect((await server.api.route(routes.pluginManifest, { params: { plugin: 'nope' } })).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await server.api.route(routes.pluginManifest, { params: { plugin: '../../package' } })).status).toBe(404);
  });
});
