import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ContactNotifier,
  DeepLinkHandoffs,
  DesktopState,
  isTrustedSender,
  linuxAutostartFile,
  parseDeepLink,
  resolveAppRequest,
  setLinuxAutostart,
  statusDotBitmap,
} from '#core/bridge-host/index.js';
import { BridgeError, createIpcBridge } from '#common/bridge/index.js';
import { BridgeHost } from '#core/bridge-host/index.js';
import { createUnavailableProbe, Launcher, UserGestureGate } from '#core/launcher/index.js';
import { createVault } from '#core/vault/index.js';
import { createPreloadPort, type RendererIpc } from '#preload/desktop-bridge.js';
import { tempDir } from '../support/test-server.js';

const scratch = tempDir('switchboard-desktop-parts-');
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('who may call the bridge', () => {
  it('accepts only the top frame of a trusted origin', () => {
    expect(isTrustedSender('app://switchboard/contacts', ['app://switchboard'])).toBe(true);
    expect(isTrustedSender('app://switchboard/', ['app://switchboard'], false)).toBe(false);
    expect(isTrustedSender('app://evil/', ['app://switchboard'])).toBe(false);
    expect(isTrustedSender('http://127.0.0.1:8080/x', ['http://127.0.0.1:8080'])).toBe(true);
    expect(isTrustedSender('http://127.0.0.1:8081/x', ['http://127.0.0.1:8080'])).toBe(false);
    expect(isTrustedSender('file:///etc/passwd', ['app://switchboard'])).toBe(false);
    expect(isTrustedSender(undefined, ['app://switchboard'])).toBe(false);
    expect(isTrustedSender('not a url', ['app://switchboard'])).toBe(false);
  });
});

describe('the app:// scheme', () => {
  const rendererDir = path.join(scratch, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), '');
  fs.writeFileSync(path.join(scratch, 'secret.txt'), 'no');
  const icon = path.join(scratch, 'telegram.svg');
  fs.writeFileSync(icon, '<svg/>');
  const options = { rendererDir, serverUrl: 'https://sb.example.org', pluginIcon: (id: string) => (id === 'telegram' ? icon : undefined) };

  it('serves the renderer, its routes and plugin icons under the desktop CSP', () => {
    const shell = resolveAppRequest('app://switchboard/contacts/42', options);
    expect(shell).toMatchObject({ ok: true, file: path.join(rendererDir, 'index.html'), contentType: 'text/html; charset=utf-8' });
    if (!shell.ok) throw new Error('unreachable');
    expect(shell.headers['content-security-policy']).toContain("connect-src 'self' https://sb.example.org wss://sb.example.org");
    expect(shell.headers['content-security-policy']).toContain("script-src 'self';");
    expect(resolveAppRequest('app://switchboard/assets/app.js', options)).toMatchObject({ ok: true, contentType: 'text/javascript; charset=utf-8' });
    expect(resolveAppRequest('app://switchboard/plugins/telegram/icon', options)).toMatchObject({ ok: true, file: icon, contentType: 'image/svg+xml' });
  });

  it('answers nothing outside its folders', () => {
    for (const url of ['app://switchboard/../secret.txt', 'app://switchboard/%2e%2e/secret.txt', 'app://switchboard/assets/..%2f..%2fsecret.txt', 'app://other/index.html', 'app://switchboard/plugins/slack/icon', 'app://switchboard/a%00.js']) {
      expect(resolveAppRequest(url, options), url).toMatchObject({ ok: false });
    }
    expect(resolveAppRequest('app://switchboard/%E0%A4%A.js', options)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('desktop preferences', () => {
  it('persists choices and survives a corrupt file', () => {
    const dir = path.join(scratch, 'state');
    const state = new DesktopState(dir);
    state.setNotifications('0e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c', true);
    state.status = 'busy';
    const again = new DesktopState(dir);
    expect(again.notifiesFor('0e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c')).toBe(true);
    expect(again.status).toBe('busy');
    expect(fs.statSync(again.file).mode & 0o777).toBe(0o600);

    fs.writeFileSync(again.file, '{"version":1,"status":"dancing"');
    const recovered = new DesktopState(dir);
    expect(recovered.status).toBe('online');
    expect(recovered.recoveredFrom).toMatch(/desktop-state\.json\.corrupt-\d+$/);
    expect(() => recovered.setNotifications('not-a-uuid', true)).toThrow();
  });
});

describe('contact notifications', () => {
  const alice = '0e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c';
  const bob = '1e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c';
  const event = (userId: string, apps: string[], status: 'online' | 'offline' = 'online') => ({
    userId,
    status,
    text: '',
    apps: apps.map((plugin) => ({ plugin, since: '2026-01-01T00:00:00.000Z' })),
    at: '2026-01-01T00:00:00.000Z',
  });

  it('announces a network that appears for a contact the person chose, never the first snapshot', () => {
    const notifier = new ContactNotifier({
      notifiesFor: (userId) => userId === alice,
      pluginName: (id) => ({ telegram: 'Telegram', slack: 'Slack' })[id],
      contactLabel: (userId) => (userId === alice ? '+86 138 0013 8000' : undefined),
    });
    expect(notifier.observe(event(alice, ['slack']))).toEqual([]);
    expect(notifier.observe(event(alice, ['slack', 'telegram']))).toEqual([{ userId: alice, plugin: 'telegram', title: '+86 138 0013 8000 is now on Telegram', body: 'Click to open Telegram.' }]);
    expect(notifier.observe(event(alice, ['telegram']))).toEqual([]);
    expect(notifier.observe(event(alice, ['telegram'], 'offline'))).toEqual([]);
    expect(notifier.observe(event(alice, ['telegram']))).toHaveLength(1);
    expect(notifier.observe(event(bob, []))).toEqual([]);
    expect(notifier.observe(event(bob, ['telegram']))).toEqual([]);
  });
});

describe('switchboard:// links', () => {
  it('finishes the waiting OAuth binding whose nonce comes back, and ignores everything else', async () => {
    const handoffs = new DeepLinkHandoffs();
    const receiver = handoffs.receiver();
    expect(receiver.returnTo).toMatch(/^switchboard:\/\/oauth\/done\?nonce=[A-Za-z0-9_-]{24}$/);
    const nonce = new URL(receiver.returnTo).searchParams.get('nonce');
    expect(handoffs.deliver(parseDeepLink(`switchboard://oauth/done?nonce=${'x'.repeat(24)}&handoff=h1`) ?? { kind: 'open' })).toBe(false);
    expect(handoffs.deliver(parseDeepLink(`switchboard://oauth/done?nonce=${nonce}&handoff=h-123`) ?? { kind: 'open' })).toBe(true);
    await expect(receiver.wait()).resolves.toBe('h-123');

    const refused = handoffs.receiver();
    const refusedNonce = new URL(refused.returnTo).searchParams.get('nonce');
    handoffs.deliver(parseDeepLink(`switchboard://oauth/done?nonce=${refusedNonce}&error=access_denied`) ?? { kind: 'open' });
    await expect(refused.wait()).rejects.toMatchObject({ code: 'access_denied' });

    expect(parseDeepLink('switchboard://')).toEqual({ kind: 'open' });
    for (const raw of ['https://evil.example/oauth/done', 'switchboard://oauth/done?nonce=short', 'switchboard://settings/delete-everything', 'switchboard://' + 'a'.repeat(5000), '::']) {
      expect(parseDeepLink(raw), raw).toBeUndefined();
    }
  });
});

describe('small desktop pieces', () => {
  it('writes and removes the Linux autostart entry', () => {
    const env = { XDG_CONFIG_HOME: path.join(scratch, 'xdg-config') };
    setLinuxAutostart(true, ['/opt/Switch Board/switchboard'], env);
    expect(fs.readFileSync(linuxAutostartFile(env), 'utf8')).toContain('Exec="/opt/Switch Board/switchboard" --hidden');
    setLinuxAutostart(false, [], env);
    expect(fs.existsSync(linuxAutostartFile(env))).toBe(false);
  });

  it('draws the tray dot in the status colour', () => {
    const busy = statusDotBitmap('busy', 16);
    expect(busy).toHaveLength(16 * 16 * 4);
    const centre = (8 * 16 + 8) * 4;
    expect([...busy.subarray(centre, centre + 4)]).toEqual([46, 34, 207, 255]);
    expect(busy[3]).toBe(0);
    expect(statusDotBitmap('invisible', 16)[centre + 3]).toBe(0);
  });

});

describe('bridge failures cross as structured codes', () => {
  /** The real host behind the preload's port and the page's bridge; only Electron's IPC is replaced by a direct call. */
  function bridgeOverHost(senderUrl: string) {
    const gestures = new UserGestureGate();
    const host = new BridgeHost({
      version: '0.1.0-test',
      platform: 'linux',
      serverUrl: 'http://127.0.0.1:9',
      trustedOrigins: ['app://switchboard'],
      // Never reached by the calls below: each fails before the keychain would be asked.
      vault: createVault({ service: `switchboard-parts-${process.pid}` }),
      state: new DesktopState(path.join(scratch, 'bridge-state')),
      plugins: [],
      iconUrl: (id) => `app://switchboard/plugins/${id}/icon`,
      launcher: new Launcher({ findPlugin: () => undefined, probe: createUnavailableProbe('not needed here'), openExternal: async () => ({ ok: true }), gestures }),
      gestures,
    });
    const ipc: RendererIpc = {
      invoke: (channel, ...args) => host.handle(channel, args, { source: 'window-1', senderUrl, isTopFrame: true }),
      on: () => undefined,
      removeListener: () => undefined,
    };
    return { host, port: createPreloadPort(ipc), bridge: createIpcBridge(createPreloadPort(ipc)) };
  }

  it('gives the page a BridgeError whose code is a property, not part of the message', async () => {
    const { host, bridge } = bridgeOverHost('app://switchboard/accounts');
    const unsupported = await bridge.app.setStartAtLogin({ enabled: true }).catch((error: unknown) => error);
    expect(unsupported).toBeInstanceOf(BridgeError);
    expect(unsupported).toMatchObject({ code: 'unsupported', message: 'starting at login is not available here' });
    await expect(bridge.accounts.bindPassword({ pluginId: 'nope', username: 'alice', password: 'secret' })).rejects.toMatchObject({ code: 'unknown_plugin' });
    await expect(bridge.accounts.bindPassword({ pluginId: '../x', username: 'alice', password: 'secret' })).rejects.toMatchObject({ code: 'invalid_arguments' });
    await expect(bridge.accounts.openLoggedIn({ pluginId: 'slack' })).rejects.toMatchObject({ code: 'unsupported' });
    host.close();
  });

  it('answers envelopes at the port, never rejections, for untrusted callers and unknown names', async () => {
    const { host, port, bridge } = bridgeOverHost('https://evil.example/');
    expect(await port.call('session.get', [])).toEqual({ ok: false, error: { code: 'untrusted_sender', message: expect.any(String) } });
    await expect(bridge.session.get()).rejects.toMatchObject({ code: 'untrusted_sender' });
    expect(await port.call('shell.openExternal' as never, ['file:///etc/passwd'])).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    host.close();
  });
});
