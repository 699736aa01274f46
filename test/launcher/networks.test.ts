import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebBridge, type BundledPlugin, type LaunchResult } from '#common/bridge/index.js';
import type { PluginManifest } from '#common/plugin-manifest/index.js';
import { createXdgMimeProbe, Launcher, openWithXdgOpen, toLaunchResult, UserGestureGate } from '#core/launcher/index.js';
import { loadPlugins } from '#core/plugins/load.js';
import { createXdgSandbox, xdgUtilsAvailable, type XdgSandbox } from './support/xdg-sandbox.js';

const available = await xdgUtilsAvailable();
const builtinDir = fileURLToPath(new URL('../../plugins/', import.meta.url));
const phone = '+8613800138000';

/**
 * What one click on each built-in network does for a contact who published the example identity of
 * that network's manifest (Li Na): on a desktop with the app installed, on a desktop without it, and
 * in a browser. `copy` is what lands on the clipboard for networks that have no link to a chat.
 */
const EXPECTED: Record<string, { native: Expected; noApp: Expected; web: Expected }> = {
  slack: {
    native: { url: 'slack://user?team=T024BE7LD&id=U024BE7LH', reaches: 'contact' },
    noApp: { url: 'https://app.slack.com/client/T024BE7LD/U024BE7LH', reaches: 'contact' },
    web: { url: 'https://app.slack.com/client/T024BE7LD/U024BE7LH', reaches: 'contact' },
  },
  discord: {
    native: { url: 'discord://-/users/80351110224678912', reaches: 'contact' },
    noApp: { url: 'https://discord.com/users/80351110224678912', reaches: 'contact' },
    web: { url: 'https://discord.com/users/80351110224678912', reaches: 'contact' },
  },
  element: {
    native: { url: 'https://matrix.to/#/@alice:matrix.org', reaches: 'contact' },
    noApp: { url: 'https://matrix.to/#/@alice:matrix.org', reaches: 'contact' },
    web: { url: 'https://matrix.to/#/@alice:matrix.org', reaches: 'contact' },
  },
  line: {
    native: { url: 'line://ti/p/~lina.chen', reaches: 'contact' },
    noApp: { url: 'https://line.me/R/ti/p/~lina.chen', reaches: 'contact' },
    web: { url: 'https://line.me/R/ti/p/~lina.chen', reaches: 'contact' },
  },
  mastodon: {
    native: { url: 'https://mastodon.social/@alice@mastodon.social', reaches: 'contact' },
    noApp: { url: 'https://mastodon.social/@alice@mastodon.social', reaches: 'contact' },
    web: { url: 'https://mastodon.social/@alice@mastodon.social', reaches: 'contact' },
  },
  qq: {
    native: { url: 'tencent://message/?uin=10001', reaches: 'contact' },
    noApp: { url: 'https://im.qq.com/', reaches: 'app', copy: '10001' },
    web: { url: 'https://im.qq.com/', reaches: 'app', copy: '10001' },
  },
  signal: {
    native: { url: `sgnl://signal.me/#p/${phone}`, reaches: 'contact' },
    noApp: { url: `https://signal.me/#p/${phone}`, reaches: 'contact' },
    web: { url: `https://signal.me/#p/${phone}`, reaches: 'contact' },
  },
  teams: {
    native: { url: 'msteams:/l/chat/0/0?users=lina%40contoso.com', reaches: 'contact' },
    noApp: { url: 'https://teams.microsoft.com/l/chat/0/0?users=lina%40contoso.com', reaches: 'contact' },
    web: { url: 'https://teams.microsoft.com/l/chat/0/0?users=lina%40contoso.com', reaches: 'contact' },
  },
  telegram: {
    native: { url: 'tg://resolve?domain=lina_chen', reaches: 'contact' },
    noApp: { url: 'https://t.me/lina_chen', reaches: 'contact' },
    web: { url: 'https://t.me/lina_chen', reaches: 'contact' },
  },
  thunderbird: {
    native: { url: 'mailto:lina@example.org', reaches: 'contact' },
    noApp: { code: 'app_not_installed' },
    web: { url: 'mailto:lina@example.org', reaches: 'contact' },
  },
  viber: {
    native: { url: 'viber://chat?number=%2B8613800138000', reaches: 'contact' },
    noApp: { url: 'https://www.viber.com/', reaches: 'app', copy: phone },
    web: { url: 'https://www.viber.com/', reaches: 'app', copy: phone },
  },
  wechat: {
    native: { url: 'weixin://', reaches: 'app', copy: 'lina_chen88' },
    noApp: { url: 'https://web.wechat.com/', reaches: 'app', copy: 'lina_chen88' },
    web: { url: 'https://web.wechat.com/', reaches: 'app', copy: 'lina_chen88' },
  },
  whatsapp: {
    native: { url: 'whatsapp://send?phone=8613800138000', reaches: 'contact' },
    noApp: { url: 'https://wa.me/8613800138000', reaches: 'contact' },
    web: { url: 'https://wa.me/8613800138000', reaches: 'contact' },
  },
  zoom: {
    native: { url: 'zoommtg://zoom.us/', reaches: 'app', copy: 'lina@example.org' },
    noApp: { url: 'https://app.zoom.us/wc/home', reaches: 'app', copy: 'lina@example.org' },
    web: { url: 'https://app.zoom.us/wc/home', reaches: 'app', copy: 'lina@example.org' },
  },
};

type Expected = { url: string; reaches: 'contact' | 'app'; copy?: string } | { code: string };

/** The identity a contact publishes for a network: the manifest's own examples, plus their phone. */
function publishedIdentity(manifest: PluginManifest): Record<string, string> {
  return { phone, ...Object.fromEntries(manifest.identity.map((field) => [field.name, field.example])) };
}

function schemesOf(manifest: PluginManifest): string[] {
  const urls = [...(manifest.launch.chat ?? []), ...(manifest.launch.open ?? [])].map((template) => template.url);
  return [...new Set(urls.map((url) => url.slice(0, url.indexOf(':'))).filter((scheme) => scheme !== 'https'))];
}

function expectResult(result: LaunchResult, expected: Expected, copied: string[]): void {
  if ('code' in expected) {
    expect(result).toMatchObject({ ok: false, code: expected.code });
    return;
  }
  expect(result).toMatchObject({ ok: true, url: expected.url, reaches: expected.reaches });
  if (!result.ok) return;
  if (expected.copy === undefined) {
    expect(result.copied).toBeUndefined();
    expect(copied).toEqual([]);
  } else {
    expect(result.copied).toMatchObject({ value: expected.copy, done: true });
    expect(copied).toEqual([expected.copy]);
  }
}

describe.skipIf(!available)('one click on each built-in network reaches the contact', () => {
  let manifests: PluginManifest[];
  let sandbox: XdgSandbox;
  let gestures: UserGestureGate;
  /** Stand-in for the OS clipboard (Electron's `clipboard` in the app, the browser's in the web client). */
  let clipboard: string[];
  let launcher: Launcher;
  const click = () => {
    gestures.recordInput('window');
    return gestures.claim('window');
  };

  beforeAll(async () => {
    manifests = (await loadPlugins({ builtinDir })).plugins.map((plugin) => plugin.manifest);
  });

  beforeEach(async () => {
    sandbox = createXdgSandbox();
    await sandbox.registerHandler('https', 'test-browser.desktop');
    gestures = new UserGestureGate();
    clipboard = [];
    launcher = new Launcher({
      findPlugin: (id) => manifests.find((manifest) => manifest.id === id),
      probe: createXdgMimeProbe({ env: sandbox.env, cacheMs: 0 }),
      openExternal: (url) => openWithXdgOpen(url, { env: sandbox.env }),
      gestures,
      writeClipboard: (text) => {
        clipboard.push(text);
        return true;
      },
    });
  });

  afterEach(() => sandbox.remove());

  it('covers all 14 built-in networks', () => {
    expect(manifests.map((manifest) => manifest.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s: the desktop opens the native link once the app is installed, the web link or the app page before', async (id) => {
    const manifest = manifests.find((candidate) => candidate.id === id);
    if (manifest === undefined) throw new Error(`no plugin ${id}`);
    const expected = EXPECTED[id];
    if (expected === undefined) throw new Error('unreachable');
    const request = { pluginId: id, identity: publishedIdentity(manifest) };

    // Only a browser is installed at first (no mail client either).
    const noApp = toLaunchResult(await launcher.open(request, click()));
    expectResult(noApp, expected.noApp, clipboard);
    if (noApp.ok) expect(await sandbox.waitForOpened(1)).toEqual([noApp.url]);

    clipboard.length = 0;
    for (const scheme of schemesOf(manifest)) await sandbox.registerHandler(scheme, `${scheme}-app.desktop`);
    const before = sandbox.opened().length;
    const native = toLaunchResult(await launcher.open(request, click()));
    expectResult(native, expected.native, clipboard);
    if (native.ok) expect((await sandbox.waitForOpened(before + 1)).at(-1)).toBe(native.url);
  });

  it.each(Object.keys(EXPECTED))('%s: the browser opens the web link, or the web page with the handle on the clipboard', async (id) => {
    const manifest = manifests.find((candidate) => candidate.id === id);
    if (manifest === undefined) throw new Error(`no plugin ${id}`);
    const expected = EXPECTED[id];
    if (expected === undefined) throw new Error('unreachable');
    const opened: string[] = [];
    const copied: string[] = [];
    const plugins: BundledPlugin[] = manifests.map((candidate) => ({ manifest: candidate, iconUrl: `/icons/${candidate.id}.svg` }));
    const bridge = new WebBridge({
      origin: 'https://switchboard.example',
      version: '0.1.0',
      hasSessionCookie: () => false,
      plugins,
      openUrl: (url) => opened.push(url) > 0,
      writeClipboard: async (text) => copied.push(text) > 0,
      pickFile: async () => null,
    });
    const result = await bridge.launcher.open({ pluginId: id, identity: publishedIdentity(manifest) });
    expectResult(result, expected.web, copied);
    if (result.ok) expect(opened).toEqual([result.url]);
  });

  it.each(Object.keys(EXPECTED).filter((id) => !['signal', 'viber', 'whatsapp'].includes(id)))(
    '%s: a contact who published nothing gets "ask them", never an error or a page that does not reach them',
    async (id) => {
      const manifest = manifests.find((candidate) => candidate.id === id);
      if (manifest === undefined) throw new Error(`no plugin ${id}`);
      const declared = manifest.identity.map((field) => field.name);
      for (const scheme of schemesOf(manifest)) await sandbox.registerHandler(scheme, `${scheme}-app.desktop`);
      const desktop = toLaunchResult(await launcher.open({ pluginId: id, identity: { phone } }, click()));
      // Telegram still reaches the person by their phone number.
      if (id === 'telegram') {
        expect(desktop).toMatchObject({ ok: true, url: 'tg://resolve?phone=8613800138000', reaches: 'contact' });
        return;
      }
      expect(desktop).toMatchObject({ ok: false, code: 'missing_identity' });
      if (!desktop.ok) expect(new Set(desktop.missing)).toEqual(new Set(declared));
      expect(clipboard).toEqual([]);
    },
  );
});
