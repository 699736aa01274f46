import { describe, expect, it } from 'vitest';
import {
  BridgeError,
  bridgeCalls,
  bridgeEvents,
  createIpcBridge,
  serveBridgeCall,
  WebBridge,
  type BundledPlugin,
  type KeyValueStore,
  type WebHost,
} from '#common/bridge/index.js';
import { parseManifest } from '#common/plugin-manifest/parse.js';
import whatsapp from '#plugins/whatsapp/manifest.json' with { type: 'json' };
import slack from '#plugins/slack/manifest.json' with { type: 'json' };

function plugin(json: unknown): BundledPlugin {
  const parsed = parseManifest(json);
  if (!parsed.ok) throw new Error('fixture manifest invalid');
  return { manifest: parsed.manifest, iconUrl: `/assets/${parsed.manifest.id}.svg` };
}

class MemoryStore implements KeyValueStore {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

function webHost(overrides: Partial<WebHost> = {}): WebHost & { opened: string[] } {
  const opened: string[] = [];
  return {
    origin: 'https://switchboard.example',
    version: '0.1.0',
    hasSessionCookie: () => true,
    plugins: [plugin(whatsapp), plugin(slack)],
    openUrl: (url) => {
      opened.push(url);
      return true;
    },
    writeClipboard: async () => true,
    pickFile: async () => null,
    opened,
    ...overrides,
  };
}

const session = { token: 'tok-123', userId: '6f1c2f7e-8d1b-4c5a-9a59-0c7b2b0f3d11', phone: '+8613800138000' };

describe('WebBridge', () => {
  it('keeps my status in the preference store, refuses a bad one, and has no network contacts of its own', async () => {
    const preferences = new MemoryStore();
    const first = new WebBridge(webHost({ preferenceStore: preferences }));
    expect(await first.status.get()).toEqual({ status: 'online', text: '' });
    // A browser reports my status over the page's socket: the bridge only keeps it.
    expect(await first.status.set({ status: 'busy', text: 'writing' })).toEqual({ status: 'busy', text: 'writing', report: 'offline' });
    expect(await new WebBridge(webHost({ preferenceStore: preferences })).status.get()).toEqual({ status: 'busy', text: 'writing' });
    await expect(first.status.set({ status: 'sleeping' as 'busy', text: '' })).rejects.toThrow();
    preferences.setItem('switchboard.myStatus', '{not json');
    expect(await new WebBridge(webHost({ preferenceStore: preferences })).status.get()).toEqual({ status: 'online', text: '' });
    expect(await first.contacts.networkContacts()).toEqual([]);
    await expect(first.contacts.syncAccounts()).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('keeps no credential: who is signed in goes to the preference store, trusted only while the session cookie is there', async () => {
    const store = new MemoryStore();
    let cookie = true;
    const host = () => webHost({ preferenceStore: store, hasSessionCookie: () => cookie });
    const first = new WebBridge(host());
    expect(await first.session.get()).toBeNull();
    await first.session.set(session);
    expect(JSON.parse(store.getItem('switchboard.signedInAs') ?? '{}')).toEqual({ userId: session.userId, phone: session.phone });
    expect([...store.items.values()].join()).not.toContain(session.token);
    // A reload or a new tab finds who is signed in; the session itself is the browser's cookie.
    expect(await new WebBridge(host()).session.get()).toEqual({ userId: session.userId, phone: session.phone });
    // The browser closed a session that was not kept: its cookies are gone, and so is the sign-in.
    cookie = false;
    expect(await new WebBridge(host()).session.get()).toBeNull();
    expect(store.items.size).toBe(0);
    cookie = true;
    await first.session.set(session);
    await first.session.clear();
    expect(store.items.size).toBe(0);
    expect(await first.session.get()).toBeNull();
  });

  it('still works when storage throws (private mode) and ignores a tampered stored profile', async () => {
    const throwing: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => undefined,
    };
    const bridge = new WebBridge(webHost({ preferenceStore: throwing }));
    await bridge.session.set(session);
    expect(await bridge.session.get()).toEqual({ userId: session.userId, phone: session.phone });
    const tampered = new MemoryStore();
    tampered.setItem('switchboard.signedInAs', '{"userId":1}');
    expect(await new WebBridge(webHost({ preferenceStore: tampered })).session.get()).toBeNull();
  });

  it('says it is the web, with desktop-only capabilities off', async () => {
    const info = await new WebBridge(webHost()).app.info();
    expect(info).toMatchObject({ kind: 'web', platform: 'web', serverUrl: 'https://switchboard.example' });
    expect(Object.values(info.capabilities).every((capable) => capable === false)).toBe(true);
    expect(bridgeCalls['app.info'].result.safeParse(info).success).toBe(true);
  });

  it('opens the web link of a plugin, never its native scheme', async () => {
    const host = webHost();
    const result = await new WebBridge(host).launcher.open({ pluginId: 'whatsapp', identity: { phone: '+8613800138000' } });
    expect(result).toMatchObject({ ok: true, kind: 'web' });
    expect(host.opened).toHaveLength(1);
    expect(host.opened[0]).toMatch(/^https:\/\/wa\.me\/8613800138000/);
  });

  it('answers with a code when a link cannot be made, and opens nothing', async () => {
    const host = webHost();
    const bridge = new WebBridge(host);
    expect(await bridge.launcher.open({ pluginId: 'slack', identity: { phone: '+8613800138000' } })).toMatchObject({ ok: false, code: 'missing_identity' });
    expect(await bridge.launcher.open({ pluginId: 'nope', identity: {} })).toMatchObject({ ok: false, code: 'unknown_plugin' });
    expect(host.opened).toEqual([]);
  });

  it('lists plugins as summaries and refuses desktop-only calls with "unsupported"', async () => {
    const bridge = new WebBridge(webHost());
    const plugins = await bridge.plugins.list();
    expect(plugins.map((entry) => entry.id)).toEqual(['whatsapp', 'slack']);
    expect(plugins[1]).toMatchObject({ name: 'Slack', auth: 'oauth2', iconUrl: '/assets/slack.svg' });
    await expect(bridge.app.setStartAtLogin({ enabled: true })).rejects.toMatchObject({ code: 'unsupported' });
    expect(await bridge.watcher.status()).toEqual({ running: false, apps: [], lastScanAt: null });
  });
});

describe('the IPC contract', () => {
  it('names every channel once, under the switchboard: prefix', () => {
    const channels = [...Object.values(bridgeCalls), ...Object.values(bridgeEvents)].map((spec) => spec.channel);
    expect(new Set(channels).size).toBe(channels.length);
    expect(channels.every((channel) => channel.startsWith('switchboard:'))).toBe(true);
  });

  it('routes renderer calls to their channel and validates what comes back', async () => {
    const calls: [string, readonly unknown[]][] = [];
    const answers: Record<string, unknown> = {
      'session.get': { ok: true, value: session },
      'plugins.list': { ok: true, value: [{ id: 'x' }] },
      'session.clear': { ok: false, error: { code: 'keychain_unavailable', message: 'locked', retryAfter: 3 } },
      'watcher.status': { ok: false, error: { code: 'made_up_code', message: 'no' } },
      'app.info': 'not an envelope',
    };
    const bridge = createIpcBridge({
      call: async (name, args) => {
        calls.push([name, args]);
        return answers[name];
      },
      subscribe: () => () => undefined,
    });
    expect(await bridge.session.get()).toEqual(session);
    await expect(bridge.plugins.list()).rejects.toMatchObject({ code: 'invalid_result' });
    // A failure arrives as a structured object and leaves as a BridgeError with its code as a property.
    const failure = await bridge.session.clear().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BridgeError);
    expect(failure).toMatchObject({ code: 'keychain_unavailable', message: 'locked', retryAfter: 3 });
    await expect(bridge.watcher.status()).rejects.toMatchObject({ code: 'invalid_result' });
    await expect(bridge.app.info()).rejects.toMatchObject({ code: 'invalid_result' });
    await bridge.launcher.open({ pluginId: 'slack', identity: {} }).catch(() => undefined);
    expect(calls.map(([name]) => name)).toEqual(['session.get', 'plugins.list', 'session.clear', 'watcher.status', 'app.info', 'launcher.open']);
    expect(calls[5]?.[1]).toEqual([{ pluginId: 'slack', identity: {} }]);
  });

  it('delivers only well-formed events to listeners', () => {
    let deliver: (payload: unknown) => void = () => undefined;
    const bridge = createIpcBridge({
      call: async () => undefined,
      subscribe: (name, listener) => {
        expect(name).toBe('watcher.changed');
        deliver = listener;
        return () => undefined;
      },
    });
    const seen: unknown[] = [];
    bridge.watcher.onChanged((status) => seen.push(status));
    deliver({ running: true, apps: [{ plugin: 'slack', since: '2026-01-01T09:00:00.000Z' }], lastScanAt: null });
    deliver({ running: 'yes' });
    expect(seen).toHaveLength(1);
  });

  it('checks the renderer\'s arguments on the main side before the implementation runs', async () => {
    let ran = false;
    const implementation = async () => {
      ran = true;
      return { ok: true as const, kind: 'chat' as const, url: 'slack://open', reaches: 'app' as const };
    };
    await expect(serveBridgeCall('launcher.open', [{ pluginId: '', identity: {} }], implementation)).rejects.toMatchObject({ code: 'invalid_arguments' });
    expect(ran).toBe(false);
    expect(await serveBridgeCall('launcher.open', [{ pluginId: 'slack', identity: { team: 'T1' } }], implementation)).toMatchObject({ ok: true });
  });
});
