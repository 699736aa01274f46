import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manifestSchema, type ManifestInput } from '#common/plugin-manifest/index.js';
import {
  createXdgMimeProbe,
  Launcher,
  openWithXdgOpen,
  toLaunchResult,
  UserGestureGate,
  type LaunchablePlugin,
} from '#core/launcher/index.js';
import { loadPlugins } from '#core/plugins/load.js';
import { createXdgSandbox, xdgUtilsAvailable, type XdgSandbox } from './support/xdg-sandbox.js';

const available = await xdgUtilsAvailable();
const builtinDir = fileURLToPath(new URL('../../plugins/', import.meta.url));

function testPlugin(id: string, launch: ManifestInput['launch'], allowedHosts: string[] = []): LaunchablePlugin {
  return manifestSchema.parse({
    id,
    name: id,
    version: '1.0.0',
    engines: { switchboard: '^0.1.0' },
    processes: {},
    launch,
    auth: { type: 'none' },
    allowedHosts,
  });
}

describe.skipIf(!available)('the launcher with the real xdg-mime and xdg-open', () => {
  let sandbox: XdgSandbox;
  let builtins: LaunchablePlugin[];
  let extra: LaunchablePlugin[];
  let gestures: UserGestureGate;
  let launcher: Launcher;
  const source = 'window-1';

  /** What Electron main does on a trusted click: record the input, then the bridge claims a token. */
  function click() {
    gestures.recordInput(source);
    return gestures.claim(source);
  }

  beforeAll(async () => {
    builtins = (await loadPlugins({ builtinDir })).plugins.map((plugin) => plugin.manifest);
    expect(builtins.map((plugin) => plugin.id)).toContain('telegram');
  });

  beforeEach(async () => {
    sandbox = createXdgSandbox();
    // A browser that records instead of browsing: web fallbacks reach it through xdg-open as well.
    await sandbox.registerHandler('https', 'test-browser.desktop');
    extra = [];
    gestures = new UserGestureGate();
    launcher = new Launcher({
      findPlugin: (id) => [...builtins, ...extra].find((plugin) => plugin.id === id),
      probe: createXdgMimeProbe({ env: sandbox.env, cacheMs: 0 }),
      openExternal: (url) => openWithXdgOpen(url, { env: sandbox.env }),
      gestures,
    });
  });

  afterEach(() => sandbox.remove());

  it('opens the web link when no app handles tg:, and the native link once one is registered', async () => {
    const contact = { pluginId: 'telegram', identity: { phone: '+8613800138000' } };
    const web = await launcher.open(contact, click());
    expect(toLaunchResult(web)).toEqual({ ok: true, kind: 'web', url: 'https://t.me/+8613800138000', reaches: 'contact' });
    expect(web.skipped).toEqual([{ kind: 'chat', code: 'no_handler', message: 'no app is registered for "tg:" links' }]);

    await sandbox.registerHandler('tg', 'org.telegram.desktop.desktop');
    const native = await launcher.open(contact, click());
    expect(native).toMatchObject({ ok: true, kind: 'chat', url: 'tg://resolve?phone=8613800138000', handler: 'org.telegram.desktop.desktop', skipped: [] });

    expect(await sandbox.waitForOpened(2)).toEqual(['https://t.me/+8613800138000', 'tg://resolve?phone=8613800138000']);
  });

  it('skips a template whose identity field the contact lacks and takes the next one', async () => {
    await sandbox.registerHandler('tg');
    const withHandle = await launcher.choose({ pluginId: 'telegram', identity: { username: 'alice', phone: '+8613800138000' } });
    expect(withHandle).toMatchObject({ ok: true, kind: 'chat', url: 'tg://resolve?domain=alice' });
    const phoneOnly = await launcher.choose({ pluginId: 'telegram', identity: { phone: '+8613800138000', username: '  ' } });
    expect(phoneOnly).toMatchObject({ ok: true, kind: 'chat', url: 'tg://resolve?phone=8613800138000' });
  });

  it('says which fields are missing when the contact published too little, and opens an app-only plugin', async () => {
    const partial = await launcher.choose({ pluginId: 'slack', identity: { id: 'U024BE7LH' } });
    expect(partial).toMatchObject({ ok: false, code: 'missing_identity', missing: ['team'] });
    if (partial.ok) throw new Error('unreachable');
    expect(partial.skipped.map((skip) => `${skip.kind}:${skip.code}`)).toEqual(['chat:missing_identity', 'web:missing_identity']);
    // Even with Slack installed, "open the app" is not a click that reaches the person: ask them instead.
    await sandbox.registerHandler('slack');
    expect(await launcher.choose({ pluginId: 'slack', identity: {} })).toMatchObject({ ok: false, code: 'missing_identity', missing: ['team', 'id'] });
    expect(await launcher.choose({ pluginId: 'telegram', identity: {} })).toMatchObject({ ok: false, code: 'missing_identity' });

    extra.push(testPlugin('app-only', { open: [{ url: 'slack://open' }] }));
    expect(await launcher.choose({ pluginId: 'app-only', identity: {} })).toMatchObject({ ok: true, kind: 'open', url: 'slack://open', reaches: 'app' });
  });

  it('encodes contact values so they cannot leave their URL component, and the handler receives them intact', async () => {
    await sandbox.registerHandler('tg');
    await sandbox.registerHandler('sgnl');
    const hostile = await launcher.open({ pluginId: 'telegram', identity: { username: 'bob/../?x=1&y=#frag $(id) `id`' } }, click());
    expect(hostile).toMatchObject({ ok: true, url: 'tg://resolve?domain=bob%2F..%2F%3Fx%3D1%26y%3D%23frag%20%24%28id%29%20%60id%60' });
    const chinese = await launcher.open({ pluginId: 'telegram', identity: { username: '张伟' } }, click());
    expect(chinese).toMatchObject({ ok: true, url: 'tg://resolve?domain=%E5%BC%A0%E4%BC%9F' });
    // In a fragment "+" keeps its meaning: Signal wants the E.164 number as written.
    const signal = await launcher.open({ pluginId: 'signal', identity: { phone: '+8613800138000' } }, click());
    expect(signal).toMatchObject({ ok: true, kind: 'chat', url: 'sgnl://signal.me/#p/+8613800138000' });
    expect(await sandbox.waitForOpened(3)).toEqual([
      'tg://resolve?domain=bob%2F..%2F%3Fx%3D1%26y%3D%23frag%20%24%28id%29%20%60id%60',
      'tg://resolve?domain=%E5%BC%A0%E4%BC%9F',
      'sgnl://signal.me/#p/+8613800138000',
    ]);
  });

  it('refuses a scheme outside the engine list even when this machine has a handler for it', async () => {
    await sandbox.registerHandler('frobchat', 'x.desktop');
    extra.push(testPlugin('frob', { chat: [{ url: 'frobchat://chat?u={handle}', needs: ['handle'] }], web: [{ url: 'https://frob.example/u/{handle}', needs: ['handle'] }] }, ['frob.example']));
    extra.push(testPlugin('frob-native-only', { chat: [{ url: 'frobchat://chat?u={handle}', needs: ['handle'] }] }));
    extra.push(testPlugin('evil-script', { chat: [{ url: 'javascript:alert({handle})', needs: ['handle'] }] }));
    extra.push(testPlugin('evil-host', { web: [{ url: 'https://evil.example/{handle}', needs: ['handle'] }] }, ['frob.example']));

    const withFallback = await launcher.open({ pluginId: 'frob', identity: { handle: 'alice' } }, click());
    expect(withFallback).toMatchObject({ ok: true, kind: 'web', url: 'https://frob.example/u/alice' });
    if (!withFallback.ok) throw new Error('unreachable');
    expect(withFallback.skipped).toMatchObject([{ kind: 'chat', code: 'scheme_not_allowed' }]);

    expect(await launcher.open({ pluginId: 'frob-native-only', identity: { handle: 'alice' } }, click())).toMatchObject({ ok: false, code: 'scheme_not_allowed' });
    expect(await launcher.open({ pluginId: 'evil-script', identity: { handle: 'alice' } }, click())).toMatchObject({ ok: false, code: 'scheme_not_allowed' });
    expect(await launcher.open({ pluginId: 'evil-host', identity: { handle: 'alice' } }, click())).toMatchObject({ ok: false, code: 'host_not_allowed' });
    expect(await sandbox.waitForOpened(1)).toEqual(['https://frob.example/u/alice']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sandbox.opened()).toHaveLength(1);
  });

  it('opens nothing without a fresh user gesture, and each gesture opens once', async () => {
    const contact = { pluginId: 'telegram', identity: { phone: '+8613800138000' } };
    expect(await launcher.open(contact, undefined)).toMatchObject({ ok: false, code: 'no_user_gesture' });
    expect(gestures.claim(source)).toBeUndefined();

    const gesture = click();
    expect(await launcher.open(contact, gesture)).toMatchObject({ ok: true });
    expect(await launcher.open(contact, gesture)).toMatchObject({ ok: false, code: 'no_user_gesture' });

    let now = 1_000_000;
    const slowGate = new UserGestureGate({ now: () => now });
    slowGate.recordInput(source);
    now += 5001;
    expect(slowGate.claim(source)).toBeUndefined();
    // A token from another gate is not ours to honour.
    slowGate.recordInput(source);
    expect(await launcher.open(contact, slowGate.claim(source))).toMatchObject({ ok: false, code: 'no_user_gesture' });
    expect(await sandbox.waitForOpened(1)).toHaveLength(1);
  });

  it('answers bad requests and failed opens with codes', async () => {
    expect(await launcher.choose({ pluginId: 'nope', identity: {} })).toMatchObject({ ok: false, code: 'unknown_plugin' });
    expect(await launcher.choose({ pluginId: '', identity: {} })).toMatchObject({ ok: false, code: 'invalid_arguments' });
    expect(await launcher.choose({ pluginId: 'telegram', identity: { phone: '+'.repeat(400) } })).toMatchObject({ ok: false, code: 'invalid_arguments' });
    expect(await launcher.choose(JSON.parse('{"pluginId":"telegram","identity":{"phone":7}}'))).toMatchObject({ ok: false, code: 'invalid_arguments' });
    extra.push(testPlugin('empty', {}));
    expect(await launcher.choose({ pluginId: 'empty', identity: { phone: '+8613800138000' } })).toMatchObject({ ok: false, code: 'no_template' });

    // No https handler in a fresh sandbox: xdg-open itself fails, and the launcher says so.
    const bare = createXdgSandbox();
    try {
      const bareLauncher = new Launcher({
        findPlugin: (id) => builtins.find((plugin) => plugin.id === id),
        probe: createXdgMimeProbe({ env: bare.env }),
        openExternal: (url) => openWithXdgOpen(url, { env: bare.env }),
        gestures,
      });
      const failed = await bareLauncher.open({ pluginId: 'telegram', identity: { phone: '+8613800138000' } }, click());
      expect(failed).toMatchObject({ ok: false, code: 'open_failed', message: 'xdg-open failed: no application handles this link' });
    } finally {
      bare.remove();
    }
  });
});
