import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeCalls, type PluginSummary } from '#common/bridge/index.js';
import { matcherSetsFor } from '#common/plugin-manifest/matchers.js';
import { BridgeHost, DesktopState } from '#core/bridge-host/index.js';
import { createXdgMimeProbe, Launcher, openWithXdgOpen, UserGestureGate } from '#core/launcher/index.js';
import { type CatalogueUpdate, CatalogueRefresher } from '#core/plugins/catalogue-refresher.js';
import { loadPlugins, type LoadedPlugin } from '#core/plugins/load.js';
import { createVault } from '#core/vault/index.js';
import { AppWatcher } from '#core/watcher/watcher.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { AppLikeProcesses } from '../watcher/real-processes.js';
import { ownProcessTree } from '../support/own-processes.js';
import { copyOfBuiltinPlugins, editManifest, repoPluginsDir } from './support.js';

const FROB_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="#7b2ff7"/></svg>';

function writePlugin(parent: string, id: string, version: string, linuxProcess: string): void {
  const dir = path.join(parent, id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'icon.svg'), FROB_ICON);
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      id,
      name: id,
      version,
      engines: { switchboard: '^0.1.0' },
      processes: { linux: [{ name: linuxProcess }], darwin: [], win32: [] },
      launch: { web: [{ url: `https://web.${id}.example/u/{handle}`, needs: ['handle'] }] },
      identity: [{ name: 'handle', label: { en: 'Username', 'zh-CN': '用户名' }, pattern: '[a-z]{2,20}', example: 'bob', sources: ['typed'] }],
      auth: { type: 'none' },
      capabilities: ['presence', 'web-fallback'],
      allowedHosts: [`web.${id}.example`],
    }),
  );
}

/**
 * A server whose catalogue an operator has moved ahead of this app's built-ins: the catalogue's
 * plugins folder is a temporary copy (PLUGINS_DIR) with newer, older, broken and brand-new manifests.
 */
describe('merging the catalogue with local plugins', () => {
  let server: TestServer;
  let builtins: LoadedPlugin[];
  let locals: LoadedPlugin[];
  const scratch: string[] = [];
  let catalogueDir: string;

  beforeAll(async () => {
    catalogueDir = copyOfBuiltinPlugins();
    scratch.push(catalogueDir);
    // Slack ships a nightly build under another executable name: version 9 teaches it to the watcher.
    editManifest(catalogueDir, 'slack', (manifest) => ({ ...manifest, version: '9.0.0', processes: { linux: [{ name: 'slack-nightly' }], darwin: [{ name: 'Slack' }], win32: [{ name: 'slack.exe' }] } }));
    // A newer Telegram whose web link goes to a host the built-in does not allow: refused as a whole.
    editManifest(catalogueDir, 'telegram', (manifest) => ({
      ...manifest,
      version: '2.0.0',
      launch: { ...(manifest.launch as object), web: [{ url: 'https://elsewhere.example/{phoneDigits}', needs: ['phoneDigits'] }] },
      allowedHosts: [...(manifest.allowedHosts as string[]), 'elsewhere.example'],
    }));
    // Older than the built-in: never a downgrade.
    editManifest(catalogueDir, 'zoom', (manifest) => ({ ...manifest, version: '0.5.0', processes: { linux: [{ name: 'old-zoom' }], darwin: [], win32: [] } }));
    writePlugin(catalogueDir, 'frobchat', '0.3.0', 'frobchat');
    writePlugin(catalogueDir, 'acme-chat', '5.0.0', 'acme-from-catalogue');

    const extras = tempDir('switchboard-extra-plugins-');
    scratch.push(extras);
    writePlugin(extras, 'acme-chat', '0.1.0', 'acme');

    server = await startTestServer({ env: { PLUGINS_DIR: catalogueDir } });
    builtins = (await loadPlugins({ builtinDir: repoPluginsDir })).plugins;
    const loaded = await loadPlugins({ builtinDir: repoPluginsDir, extraDirs: [extras] });
    expect(loaded.problems).toEqual([]);
    locals = loaded.plugins;
  });
  afterAll(async () => {
    await server?.close();
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  });

  const freshRefresher = (onUpdate?: (update: CatalogueUpdate) => void) => {
    const cacheDir = tempDir('switchboard-catalogue-cache-');
    scratch.push(cacheDir);
    return new CatalogueRefresher({ serverUrl: server.url, localPlugins: locals, cacheDir, ...(onUpdate ? { onUpdate } : {}) });
  };

  it('updates, adds, keeps and reports by version and origin', async () => {
    const refresher = freshRefresher();
    const update = await refresher.refresh();
    await refresher.stop();
    const byId = new Map(update.plugins.map((plugin) => [plugin.id, plugin]));
    const builtinSlack = builtins.find((plugin) => plugin.id === 'slack');

    // Data-only parts replaced; auth, hosts, icon and folder remain the built-in's.
    expect(byId.get('slack')).toMatchObject({
      origin: 'builtin-updated',
      builtin: true,
      dir: builtinSlack?.dir,
      manifest: { version: '9.0.0', processes: { linux: [{ name: 'slack-nightly' }] }, auth: builtinSlack?.manifest.auth, allowedHosts: builtinSlack?.manifest.allowedHosts },
    });
    expect(byId.get('telegram')).toMatchObject({ origin: 'builtin', manifest: { version: '1.0.0' } });
    expect(byId.get('zoom')).toMatchObject({ origin: 'builtin', manifest: { version: '1.0.0' } });
    // The user's own folder wins over the catalogue, and says so.
    expect(byId.get('acme-chat')).toMatchObject({ origin: 'extra', manifest: { version: '0.1.0', processes: { linux: [{ name: 'acme' }] } } });
    // A network this app never had, with its verified icon where the app protocol looks for it.
    const frobchat = byId.get('frobchat');
    expect(frobchat).toMatchObject({ origin: 'catalogue', builtin: false, manifest: { version: '0.3.0' } });
    expect(fs.readFileSync(path.join(frobchat?.dir ?? '', frobchat?.manifest.icon ?? ''), 'utf8')).toBe(FROB_ICON);
    // Mastodon's code still runs from the built-in folder: same version, so nothing was replaced.
    expect(byId.get('mastodon')?.manifest.main).toBeDefined();

    expect(update.problems.map((problem) => `${problem.pluginId}:${problem.code}`).sort()).toEqual([
      'acme-chat:local_plugin_kept',
      'telegram:update_rejected',
    ]);
    expect(update.problems.find((problem) => problem.code === 'update_rejected')?.issues).toEqual([
      expect.objectContaining({ code: 'host_not_allowed' }),
    ]);
    expect(update.plugins).toHaveLength(builtins.length + 2);
  });

  it('lets the bridge host list synced plugins', async () => {
    const refresher = freshRefresher();
    await refresher.refresh();
    await refresher.stop();
    const stateDir = tempDir('switchboard-state-');
    scratch.push(stateDir);
    const gestures = new UserGestureGate();
    const host = new BridgeHost({
      version: '0.1.0-test',
      platform: 'linux',
      serverUrl: server.url,
      trustedOrigins: ['app://switchboard'],
      vault: createVault({ service: `switchboard-catalogue-test-${process.pid}` }),
      state: new DesktopState(stateDir),
      plugins: locals,
      syncedPlugins: () => refresher.plugins,
      iconUrl: (id) => `app://switchboard/plugins/${id}/icon`,
      launcher: new Launcher({ findPlugin: () => undefined, probe: createXdgMimeProbe(), openExternal: (url) => openWithXdgOpen(url), gestures }),
      gestures,
    });
    const reply = await host.handle(bridgeCalls['plugins.list'].channel, [], { source: 'test', senderUrl: 'app://switchboard/', isTopFrame: true });
    host.close();
    expect(reply.ok).toBe(true);
    const listed = (reply.ok ? reply.value : []) as PluginSummary[];
    expect(listed.map((plugin) => plugin.id)).toEqual([...locals.map((plugin) => plugin.id), 'frobchat']);
    expect(listed.find((plugin) => plugin.id === 'slack')?.version).toBe('9.0.0');
    expect(listed.find((plugin) => plugin.id === 'frobchat')).toMatchObject({ name: 'frobchat', iconUrl: 'app://switchboard/plugins/frobchat/icon' });
  });

  describe.skipIf(process.platform !== 'linux')('with real processes', () => {
    let apps: AppLikeProcesses;
    let watcher: AppWatcher | undefined;
    beforeAll(() => {
      apps = new AppLikeProcesses();
    });
    afterAll(async () => {
      await watcher?.stop();
      await apps?.dispose();
    });

    it('reports a process only the catalogue\'s newer matcher knows, once synced', async () => {
      const nightly = apps.start('slack-nightly');
      const running = new AppWatcher({ platform: 'linux', source: ownProcessTree(), matchers: matcherSetsFor(locals.map((plugin) => plugin.manifest), 'linux'), intervalMs: 150, stopGraceMs: 600 });
      watcher = running;
      running.start();
      await running.scanNow();
      // The app's own Slack matcher is "slack": a program called slack-nightly is not Slack to it.
      expect(running.snapshot().map((app) => app.plugin)).not.toContain('slack');

      const refresher = freshRefresher((update) => running.setMatchers(matcherSetsFor(update.plugins.map((plugin) => plugin.manifest), 'linux')));
      await refresher.refresh();
      await refresher.stop();
      const deadline = Date.now() + 10_000;
      while (!running.snapshot().some((app) => app.plugin === 'slack') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const slack = running.snapshot().find((app) => app.plugin === 'slack');
      expect(slack?.pids).toContain(nightly.pid);

      await apps.kill(nightly);
    });
  });
});
