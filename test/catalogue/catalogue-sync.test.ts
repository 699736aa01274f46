import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCachedCatalogue, syncCatalogue } from '#core/plugins/catalogue-sync.js';
import { loadPlugins, type LoadedPlugin } from '#core/plugins/load.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { repoPluginsDir, startTamperingProxy, type TamperingProxy } from './support.js';
import { routes } from '#common/contract/routes.js';
import { routePath } from '#common/contract/route.js';

const sri = (bytes: Uint8Array) => `sha256-${createHash('sha256').update(bytes).digest('base64')}`;

/** The catalogue as the real server serves it from the repository's plugins folder. */
describe('syncing the server catalogue', () => {
  let server: TestServer;
  let builtins: LoadedPlugin[];
  const scratch: string[] = [];
  const proxies: TamperingProxy[] = [];
  const freshCacheDir = () => {
    const dir = tempDir('switchboard-catalogue-cache-');
    scratch.push(dir);
    return dir;
  };

  beforeAll(async () => {
    server = await startTestServer();
    builtins = (await loadPlugins({ builtinDir: repoPluginsDir })).plugins;
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    await server?.close();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts every built-in manifest, without code, and caches the bytes with their integrity', async () => {
    const cacheDir = freshCacheDir();
    const result = await syncCatalogue({ serverUrl: server.url, cacheDir });
    expect(result.problems).toEqual([]);
    expect(result.online).toBe(true);
    expect(result.plugins.map((plugin) => plugin.id).sort()).toEqual(builtins.map((plugin) => plugin.id).sort());

    for (const plugin of result.plugins) {
      const builtin = builtins.find((candidate) => candidate.id === plugin.id);
      if (builtin === undefined) throw new Error(`no built-in ${plugin.id}`);
      const { main: _main, ...data } = builtin.manifest;
      // The catalogue never carries code: `main` goes, and so do the capabilities only code can deliver.
      const expected = { ...data, capabilities: data.capabilities.filter((capability) => capability !== 'contacts-import' && capability !== 'identity-lookup') };
      expect(plugin.manifest, plugin.id).toEqual(expected);
      expect(plugin.source).toBe('server');

      const bytes = fs.readFileSync(path.join(repoPluginsDir, plugin.id, 'manifest.json'));
      expect(plugin.integrity).toBe(sri(bytes));
      const cached = JSON.parse(fs.readFileSync(path.join(cacheDir, `${plugin.id}.json`), 'utf8')) as { integrity: string; manifestText: string };
      expect(cached.integrity).toBe(plugin.integrity);
      expect(Buffer.from(cached.manifestText, 'utf8').equals(bytes)).toBe(true);

      // The icon came through the new route, verified, and byte for byte the plugin folder's.
      expect(plugin.iconFile).toBeDefined();
      const iconBytes = fs.readFileSync(path.join(repoPluginsDir, plugin.id, plugin.manifest.icon));
      expect(fs.readFileSync(plugin.iconFile ?? '').equals(iconBytes)).toBe(true);
    }
    expect(builtins.find((plugin) => plugin.id === 'mastodon')?.manifest.main).toBeDefined();
    expect(result.plugins.find((plugin) => plugin.id === 'mastodon')?.manifest.main).toBeUndefined();

    // A second sync finds nothing changed: the verified cache answers, no manifest is fetched again.
    const proxy = await startTamperingProxy(server.url, () => undefined);
    proxies.push(proxy);
    const again = await syncCatalogue({ serverUrl: proxy.url, cacheDir });
    expect(again.problems).toEqual([]);
    expect(again.plugins.every((plugin) => plugin.source === 'cache')).toBe(true);
    expect(proxy.requests).toEqual([routes.plugins.path]);
  });

  it('serves icons with their content type and integrity, and 404 for an unknown plugin', async () => {
    const answer = await fetch(server.url + routePath(routes.pluginIcon, { plugin: 'slack' }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/svg+xml');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect(bytes.equals(fs.readFileSync(path.join(repoPluginsDir, 'slack', 'icon.svg')))).toBe(true);
    expect(answer.headers.get('x-content-integrity')).toBe(sri(bytes));
    expect((await server.api.route(routes.pluginIcon, { params: { plugin: 'nope' } })).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await server.api.route(routes.pluginIcon, { params: { plugin: '../slack' } })).status).toBe(404);
  });

  it('rejects a manifest whose bytes were altered on the way, and skips only that plugin', async () => {
    // A CDN or proxy that swaps Telegram's matcher for another program: the listing still names the
    // origin's hash, so the altered bytes cannot pass.
    const proxy = await startTamperingProxy(server.url, (pathname, body) =>
      pathname === routePath(routes.pluginManifest, { plugin: 'telegram' }) ? Buffer.from(body.toString('utf8').replace('"telegram-desktop"', '"keylogger"')) : undefined,
    );
    proxies.push(proxy);
    const cacheDir = freshCacheDir();
    const result = await syncCatalogue({ serverUrl: proxy.url, cacheDir });

    expect(result.problems).toEqual([expect.objectContaining({ pluginId: 'telegram', code: 'integrity_mismatch' })]);
    expect(result.plugins.map((plugin) => plugin.id)).not.toContain('telegram');
    expect(result.plugins).toHaveLength(builtins.length - 1);
    expect(fs.existsSync(path.join(cacheDir, 'telegram.json'))).toBe(false);
    expect(JSON.stringify(result.plugins)).not.toContain('keylogger');
  });

  it('rejects a swapped icon even when its integrity header was forged, and keeps the network', async () => {
    const proxy = await startTamperingProxy(
      server.url,
      (pathname) => (pathname === routePath(routes.pluginIcon, { plugin: 'slack' }) ? Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>') : undefined),
      { forgeIntegrityHeader: true },
    );
    proxies.push(proxy);
    const result = await syncCatalogue({ serverUrl: proxy.url, cacheDir: freshCacheDir() });
    expect(result.problems).toEqual([expect.objectContaining({ pluginId: 'slack', code: 'icon_unavailable', message: expect.stringContaining('listed integrity') })]);
    const slack = result.plugins.find((plugin) => plugin.id === 'slack');
    expect(slack?.iconFile).toBeUndefined();
    expect(slack?.manifest.processes.linux.length).toBeGreaterThan(0);
  });

  it('keeps the verified cached copy when a later download is tampered with', async () => {
    const cacheDir = freshCacheDir();
    await syncCatalogue({ serverUrl: server.url, cacheDir });
    const cachedFile = path.join(cacheDir, 'telegram.json');
    // Make the cache look older than the catalogue, so the client must download again.
    const envelope = JSON.parse(fs.readFileSync(cachedFile, 'utf8')) as { integrity: string; manifestText: string };
    const olderText = envelope.manifestText.replace('"version": "1.0.0"', '"version": "0.9.0"');
    fs.writeFileSync(cachedFile, JSON.stringify({ ...envelope, manifestText: olderText, integrity: sri(Buffer.from(olderText)) }));

    const proxy = await startTamperingProxy(server.url, (pathname, body) =>
      pathname === routePath(routes.pluginManifest, { plugin: 'telegram' }) ? Buffer.from(body.toString('utf8').replace('"telegram-desktop"', '"keylogger"')) : undefined,
    );
    proxies.push(proxy);
    const result = await syncCatalogue({ serverUrl: proxy.url, cacheDir });
    expect(result.problems).toEqual([expect.objectContaining({ pluginId: 'telegram', code: 'integrity_mismatch', message: expect.stringContaining('keeping the cached version 0.9.0') })]);
    const telegram = result.plugins.find((plugin) => plugin.id === 'telegram');
    expect(telegram).toMatchObject({ source: 'cache', manifest: { version: '0.9.0' } });
  });

  it('rejects a tampered cache file, reads on without it, and fetches it again', async () => {
    const cacheDir = freshCacheDir();
    await syncCatalogue({ serverUrl: server.url, cacheDir });
    const cachedFile = path.join(cacheDir, 'slack.json');
    const original = fs.readFileSync(cachedFile, 'utf8');
    // Someone (or something) edited the cached manifest but not its integrity.
    const envelope = JSON.parse(original) as { manifestText: string };
    fs.writeFileSync(cachedFile, JSON.stringify({ ...envelope, manifestText: envelope.manifestText.replace('"slack"', '"slack-helper"') }));
    fs.writeFileSync(path.join(cacheDir, 'discord.json'), '{ not json');

    const offline = await readCachedCatalogue({ cacheDir });
    expect(offline.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pluginId: 'slack', code: 'cache_tampered' }),
        expect.objectContaining({ pluginId: 'discord', code: 'cache_invalid' }),
      ]),
    );
    expect(offline.plugins.map((plugin) => plugin.id)).not.toContain('slack');
    expect(offline.plugins.map((plugin) => plugin.id)).not.toContain('discord');

    const online = await syncCatalogue({ serverUrl: server.url, cacheDir });
    expect(online.problems.map((problem) => `${problem.pluginId}:${problem.code}`).sort()).toEqual(['discord:cache_invalid', 'slack:cache_tampered']);
    expect(online.plugins.find((plugin) => plugin.id === 'slack')).toMatchObject({ source: 'server', manifest: { processes: { linux: [{ name: 'slack' }] } } });
    expect(JSON.parse(fs.readFileSync(cachedFile, 'utf8'))).toMatchObject({ integrity: JSON.parse(original).integrity });
    expect((await readCachedCatalogue({ cacheDir })).problems).toEqual([]);
  });

  it('starts offline from the cache when the server cannot be reached', async () => {
    const cacheDir = freshCacheDir();
    const first = await syncCatalogue({ serverUrl: server.url, cacheDir });
    const gone = await startTamperingProxy(server.url, () => undefined);
    await gone.close();

    const offline = await syncCatalogue({ serverUrl: gone.url, cacheDir, timeoutMs: 2000 });
    expect(offline.online).toBe(false);
    expect(offline.problems).toEqual([expect.objectContaining({ code: 'catalogue_unreachable' })]);
    expect(offline.plugins.map((plugin) => plugin.id)).toEqual(first.plugins.map((plugin) => plugin.id).sort());
    expect(offline.plugins.every((plugin) => plugin.source === 'cache' && plugin.iconFile !== undefined)).toBe(true);
    expect(offline.plugins.map((plugin) => plugin.manifest)).toEqual(
      [...first.plugins].sort((a, b) => a.id.localeCompare(b.id)).map((plugin) => plugin.manifest),
    );

    // With neither server nor cache there is nothing, and still no exception.
    const empty = await syncCatalogue({ serverUrl: gone.url, cacheDir: freshCacheDir(), timeoutMs: 2000 });
    expect(empty).toMatchObject({ online: false, plugins: [], problems: [expect.objectContaining({ code: 'catalogue_unreachable' })] });
  });

  it('refuses manifests written for another engine version', async () => {
    // The server checks manifests against its own engine; a client of another version checks again.
    const cacheDir = freshCacheDir();
    const result = await syncCatalogue({ serverUrl: server.url, cacheDir, engineVersion: '0.0.9' });
    expect(result.plugins).toEqual([]);
    expect(new Set(result.problems.map((problem) => problem.code))).toEqual(new Set(['engine_unsatisfied']));
    expect(result.problems).toHaveLength(builtins.length);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('answers a code, never an exception, for a listing that is not a catalogue', async () => {
    const cacheDir = freshCacheDir();
    await syncCatalogue({ serverUrl: server.url, cacheDir });
    const answers: Record<string, string> = {
      html: '<html>captive portal</html>',
      schema: JSON.stringify({ plugins: [{ id: 'slack', integrity: 'md5-abc' }] }),
    };
    for (const [kind, body] of Object.entries(answers)) {
      const proxy = await startTamperingProxy(server.url, (pathname) => (pathname === routes.plugins.path ? Buffer.from(body) : undefined));
      proxies.push(proxy);
      const result = await syncCatalogue({ serverUrl: proxy.url, cacheDir });
      expect(result.problems, kind).toEqual([expect.objectContaining({ code: 'catalogue_invalid' })]);
      expect(result.online).toBe(false);
      expect(result.plugins).toHaveLength(builtins.length);
    }

    // A listing entry pointing at a non-http URL is refused before anything is fetched.
    const proxy = await startTamperingProxy(server.url, (pathname, body) => {
      if (pathname !== routes.plugins.path) return undefined;
      const listing = JSON.parse(body.toString('utf8')) as { plugins: { id: string; manifestUrl: string }[] };
      for (const entry of listing.plugins) if (entry.id === 'zoom') entry.manifestUrl = 'file:///etc/passwd';
      return Buffer.from(JSON.stringify(listing));
    });
    proxies.push(proxy);
    const result = await syncCatalogue({ serverUrl: proxy.url, cacheDir: freshCacheDir() });
    expect(result.problems).toEqual([expect.objectContaining({ pluginId: 'zoom', code: 'bad_manifest_url' })]);
  });
});
