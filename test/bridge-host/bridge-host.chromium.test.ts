import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopBridge, WatcherStatus } from '#common/bridge/index.js';
import { routes } from '#common/contract/routes.js';
import { APP_ORIGIN, BridgeHost, desktopCsp, DesktopState } from '#core/bridge-host/index.js';
import { createXdgMimeProbe, Launcher, openWithXdgOpen, UserGestureGate } from '#core/launcher/index.js';
import { loadPlugins, type LoadedPlugin } from '#core/plugins/load.js';
import { createVault, sessionAccount, type Vault } from '#core/vault/index.js';
import { AppWatcher } from '#core/watcher/index.js';
import { keyringAvailable, startPrivateKeyring, type PrivateKeyring } from '../support/keyring.js';
import { latestCode, signIn, startTestServer, tempDir, testDevice, type TestServer } from '../support/test-server.js';
import { rooms } from '#server/realtime/realtime-gateway.js';
import { CallClient } from '../support/call-client.js';
import { RecordingCallNotifier } from '../support/call-notifier.js';
import { createXdgSandbox, xdgUtilsAvailable, type XdgSandbox } from '../launcher/support/xdg-sandbox.js';
import { buildWebClient, chromiumAvailable, launchChromium } from '../renderer/support/browser.js';
import { serveBridge, type ServedBridge } from './support/serve-bridge.js';
import { ownProcessTree } from '../support/own-processes.js';

const available = (await chromiumAvailable()) && (await keyringAvailable()) && (await xdgUtilsAvailable());
const builtinDir = fileURLToPath(new URL('../../plugins/', import.meta.url));

const appOrigin = 'http://app.switchboard.test';
const foreignOrigin = 'http://elsewhere.test';

type PageGlobal = { switchboardBridge: DesktopBridge; watcherEvents?: WatcherStatus[] };

/** Runs `call` against the page's bridge and answers its value, or the error message it rejected with. */
function inPage<Result>(page: Page, call: (bridge: DesktopBridge) => Promise<Result>): Promise<Result | { error: { code: unknown; message: string } }> {
  return page.evaluate(
    async (source) => {
      const bridge = (globalThis as unknown as PageGlobal).switchboardBridge;
      // The function travels as text: Playwright cannot pass closures into the page.
      const run = new Function('bridge', `return (${source})(bridge);`) as (b: DesktopBridge) => Promise<unknown>;
      try {
        return await run(bridge);
      } catch (error) {
        return { error: { code: (error as { code?: unknown }).code, message: (error as Error).message } };
      }
    },
    call.toString(),
  ) as Promise<Result | { error: { code: unknown; message: string } }>;
}

describe.skipIf(!available)('the desktop bridge host served to real Chromium', () => {
  let keyring: PrivateKeyring;
  let sandbox: XdgSandbox;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let served: ServedBridge;
  let host: BridgeHost;
  let vault: Vault;
  let state: DesktopState;
  let watcher: AppWatcher;
  let plugins: LoadedPlugin[];
  const scratch = tempDir('switchboard-bridge-');
  const startAtLoginCalls: boolean[] = [];
  let nextPickedFile: string | null = null;
  const children: ChildProcess[] = [];
  /** Electron's notifications stand-in, with buttons (as on macOS); the window is never focused here. */
  const callNotifier = new RecordingCallNotifier(true);
  const raisedWindow: number[] = [];

  beforeAll(async () => {
    keyring = await startPrivateKeyring();
    sandbox = createXdgSandbox();
    await sandbox.registerHandler('tg', 'org.telegram.desktop.desktop');
    await sandbox.registerHandler('https', 'test-browser.desktop');
    await buildWebClient();
    server = await startTestServer();
    plugins = (await loadPlugins({ builtinDir })).plugins;
    vault = createVault({ service: `switchboard-bridge-test-${process.pid}` });
    state = new DesktopState(path.join(scratch, 'config'));
    watcher = new AppWatcher({ source: ownProcessTree(), matchers: [{ pluginId: 'telegram', matchers: [{ name: 'telegram-desktop' }] }], intervalMs: 150, stopGraceMs: 200 });
    watcher.start();
    const gestures = new UserGestureGate();
    const manifests = plugins.map((plugin) => plugin.manifest);
    host = new BridgeHost({
      version: '0.1.0-test',
      platform: 'linux',
      serverUrl: server.url,
      trustedOrigins: [appOrigin, server.url],
      vault,
      state,
      plugins,
      iconUrl: (id) => `${APP_ORIGIN}/plugins/${id}/icon`,
      launcher: new Launcher({
        findPlugin: (id) => manifests.find((manifest) => manifest.id === id),
        probe: createXdgMimeProbe({ env: sandbox.env }),
        openExternal: (url) => openWithXdgOpen(url, { env: sandbox.env }),
        gestures,
      }),
      gestures,
      watcher,
      // Stands in for Electron's dialog.showOpenDialog: the person "chose" this path.
      pickFile: async () => nextPickedFile,
      setStartAtLogin: (enabled) => {
        startAtLoginCalls.push(enabled);
      },
      notificationsSupported: true,
      callNotifications: { notifier: callNotifier, windowFocused: () => false, raiseWindow: () => raisedWindow.push(Date.now()) },
    });

    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(8000);
    served = await serveBridge(context, host, gestures);
    const csp = desktopCsp(server.url);
    await context.route(`${appOrigin}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/app.js') {
        return route.fulfill({
          contentType: 'text/javascript',
          body: `document.getElementById('open').addEventListener('click', async () => {
  const result = await window.switchboardBridge.launcher.open({ pluginId: 'telegram', identity: { phone: '+8613800138000' } });
  document.getElementById('result').textContent = JSON.stringify(result);
});
window.watcherEvents = [];
window.switchboardBridge.watcher.onChanged((status) => window.watcherEvents.push(status));`,
        });
      }
      if (url.pathname === '/framed.html') {
        // The desktop CSP forbids frames altogether; this page lets one in to prove the host refuses it too.
        return route.fulfill({ contentType: 'text/html', body: `<!doctype html><iframe src="${foreignOrigin}/frame.html"></iframe>` });
      }
      return route.fulfill({
        contentType: 'text/html',
        headers: { 'content-security-policy': csp },
        body: '<!doctype html><title>bridge test</title><button id="open">Telegram</button><output id="result"></output><script src="/app.js"></script>',
      });
    });
    await context.route(`${foreignOrigin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><p>someone else</p>' }));
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    served?.stop();
    host?.close();
    await watcher?.stop();
    await browser?.close();
    await server?.close();
    sandbox?.remove();
    await keyring?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function openAppPage(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${appOrigin}/index.html`);
    return page;
  }

  it('answers app.info and plugins.list from the contract', async () => {
    const page = await openAppPage();
    const info = await inPage(page, (bridge) => bridge.app.info());
    expect(info).toEqual({
      kind: 'desktop',
      platform: 'linux',
      version: '0.1.0-test',
      serverUrl: server.url,
      capabilities: { watcher: true, keychain: true, nativeLaunch: true, nativeFilePicker: true, notifications: true, startAtLogin: true, accountBinding: true },
    });
    const list = await inPage(page, (bridge) => bridge.plugins.list());
    expect(list).toContainEqual(expect.objectContaining({ id: 'telegram', iconUrl: 'app://switchboard/plugins/telegram/icon', launchKinds: ['chat', 'web'] }));
    await page.close();
  });

  it('keeps the session in the real keychain and gives the page only a short-lived delegation of it', async () => {
    const page = await openAppPage();
    expect(await inPage(page, (bridge) => bridge.session.get())).toBeNull();
    const signedIn = await signIn(server.api, '+8613800138000');
    const session = { token: signedIn.token, userId: signedIn.user.id, phone: signedIn.user.phone };
    expect(await page.evaluate((value) => (globalThis as unknown as PageGlobal).switchboardBridge.session.set(value), session)).toBeUndefined();
    expect(await vault.getSecret(sessionAccount(server.url))).toEqual({ token: session.token, userId: session.userId });
    const handed = (await inPage(page, (bridge) => bridge.session.get())) as { token: string; userId: string; phone: string };
    expect(handed).toMatchObject({ userId: session.userId, phone: session.phone });
    expect(handed.token).not.toBe(session.token);
    // The delegation acts for the session on the server, and cannot make another one.
    expect((await server.api.withToken(handed.token).route(routes.me)).status).toBe(200);
    expect((await server.api.withToken(handed.token).route(routes.delegateSession)).status).toBe(403);
    expect(served.replies.some((reply) => reply.includes(session.token))).toBe(false);
    expect(fs.readFileSync(state.file, 'utf8')).not.toContain(session.token);

    const refused = await inPage(page, (bridge) => bridge.session.set({ token: '', userId: 'not-a-uuid', phone: '+1' }));
    expect(refused).toMatchObject({ error: { code: 'invalid_arguments', message: expect.stringMatching(/^session\.set/) } });
    // Signing out ends the session, and with it the delegation the page held.
    expect((await server.api.withToken(session.token).route(routes.endSession)).status).toBe(204);
    expect((await server.api.withToken(handed.token).route(routes.me)).status).toBe(401);
    await inPage(page, (bridge) => bridge.session.clear());
    expect(await inPage(page, (bridge) => bridge.session.get())).toBeNull();
    expect(await vault.getSecret(sessionAccount(server.url))).toBeUndefined();
    await page.close();
  });

  it('reports running apps and pushes changes as a real process starts and stops', async () => {
    const page = await openAppPage();
    const before = (await inPage(page, (bridge) => bridge.watcher.status())) as WatcherStatus;
    expect(before).toMatchObject({ running: true, apps: [] });
    expect(before.lastScanAt).not.toBeNull();

    const fakeTelegram = path.join(scratch, 'telegram-desktop');
    fs.copyFileSync('/bin/sleep', fakeTelegram);
    fs.chmodSync(fakeTelegram, 0o755);
    const child = spawn(fakeTelegram, ['60'], { stdio: 'ignore' });
    children.push(child);
    const events = () => page.evaluate(() => (globalThis as unknown as PageGlobal).watcherEvents ?? []);
    await expect.poll(async () => (await events()).at(-1)?.apps.map((app) => app.plugin), { timeout: 5000 }).toEqual(['telegram']);
    expect(await inPage(page, (bridge) => bridge.watcher.status())).toMatchObject({ apps: [{ plugin: 'telegram' }] });

    child.kill('SIGKILL');
    await expect.poll(async () => (await events()).at(-1)?.apps, { timeout: 5000 }).toEqual([]);
    expect(served.pushed.every((push) => push.channel === 'switchboard:watcher.changed')).toBe(true);
    await page.close();
  });

  it('opens a native link after a real click, and nothing when the page calls on its own', async () => {
    const page = await openAppPage();
    await served.userClick(page, '#open');
    await expect.poll(() => page.textContent('#result')).toBe(JSON.stringify({ ok: true, kind: 'chat', url: 'tg://resolve?phone=8613800138000', reaches: 'contact' }));
    expect(await sandbox.waitForOpened(1)).toEqual(['tg://resolve?phone=8613800138000']);

    const unprompted = await inPage(page, (bridge) => bridge.launcher.open({ pluginId: 'telegram', identity: { phone: '+8613800138000' } }));
    expect(unprompted).toMatchObject({ ok: false, code: 'no_user_gesture' });
    const bad = await inPage(page, (bridge) => bridge.launcher.open({ pluginId: 'telegram', identity: { phone: 42 } } as never));
    expect(bad).toMatchObject({ error: { code: 'invalid_arguments' } });
    expect(sandbox.opened()).toHaveLength(1);
    await page.close();
  });

  it('reads a picked file into bytes, refusing the wrong kind of file', async () => {
    const page = await openAppPage();
    const vcf = path.join(scratch, 'friends.vcf');
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nTEL:+8613800138000\r\nEND:VCARD\r\n';
    fs.writeFileSync(vcf, card);
    nextPickedFile = vcf;
    const picked = await inPage(page, async (bridge) => {
      const file = await bridge.import.pickFile({ extensions: ['vcf', 'csv'] });
      return file === null ? null : { name: file.name, mimeType: file.mimeType, isBytes: file.bytes instanceof Uint8Array, text: new TextDecoder().decode(file.bytes) };
    });
    expect(picked).toEqual({ name: 'friends.vcf', mimeType: 'text/vcard', isBytes: true, text: card });

    nextPickedFile = path.join(scratch, 'setup.exe');
    fs.writeFileSync(nextPickedFile, 'MZ');
    expect(await inPage(page, (bridge) => bridge.import.pickFile({ extensions: ['vcf'] }))).toMatchObject({ error: { code: 'invalid_file' } });
    nextPickedFile = null;
    expect(await inPage(page, (bridge) => bridge.import.pickFile({ extensions: ['vcf'] }))).toBeNull();
    expect(await inPage(page, (bridge) => bridge.import.pickFile({ extensions: ['../x'] }))).toMatchObject({ error: { code: 'invalid_arguments' } });
    await page.close();
  });

  it('keeps notification and start-at-login choices', async () => {
    const page = await openAppPage();
    const alice = '0e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c';
    await inPage(page, (bridge) => bridge.notifications.setForContact({ userId: '0e8a2f4c-3b1d-4c6e-9a7f-1d2e3f4a5b6c', enabled: true }));
    expect(new DesktopState(path.join(scratch, 'config')).notifiesFor(alice)).toBe(true);
    expect(await inPage(page, (bridge) => bridge.notifications.setForContact({ userId: 'alice', enabled: true }))).toMatchObject({
      error: { code: 'invalid_arguments' },
    });
    await inPage(page, (bridge) => bridge.app.setStartAtLogin({ enabled: true }));
    expect(startAtLoginCalls).toEqual([true]);
    expect(state.startAtLogin).toBe(true);
    await page.close();
  });

  it('refuses calls from a frame of another origin and channels outside the contract', async () => {
    const page = await context.newPage();
    await page.goto(`${appOrigin}/framed.html`, { waitUntil: 'load' });
    const frame = page.frames().find((candidate) => candidate.url().startsWith(foreignOrigin));
    if (frame === undefined) throw new Error('the foreign frame did not load');
    const fromFrame = await frame.evaluate(() =>
      (globalThis as unknown as PageGlobal).switchboardBridge.session.get().then(
        () => 'answered',
        (error: { code?: unknown }) => error.code,
      ),
    );
    expect(fromFrame).toBe('untrusted_sender');
    const raw = await page.evaluate(() =>
      (globalThis as unknown as { __switchboardInvoke(channel: string, args: unknown[]): Promise<unknown> }).__switchboardInvoke('switchboard:shell.openExternal', ['file:///etc/passwd']),
    );
    expect(raw).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    await page.close();
  });

  it('runs the built renderer on this bridge: signing up stores the session in the keychain', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(server.url + '/');
    await page.getByLabel('Country or region', { exact: true }).selectOption('CN');
    await page.getByLabel('Phone number', { exact: true }).fill('13800138077');
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect.poll(() => latestCode(server.api, '+8613800138077').catch(() => ''), { timeout: 8000 }).toMatch(/^\d{6}$/);
    await page.getByLabel('Code', { exact: true }).fill(await latestCode(server.api, '+8613800138077'));
    await page.getByRole('button', { name: 'Skip' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

    const stored = await vault.getSecret(sessionAccount(server.url));
    expect(stored?.token).toMatch(/.{20,}/);
    expect(served.replies.some((reply) => reply.includes(stored?.token ?? 'none'))).toBe(false);
    // A fresh page finds the session through session.get, straight from the keychain.
    await page.reload();
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    // The core signed in itself: the session reached the keychain without passing through the page.
    expect(served.calls.filter((call) => call.channel === 'switchboard:session.signIn' && call.ok)).toHaveLength(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the built renderer shows an incoming call as the desktop notification; Decline on it declines, and an ended call withdraws it', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
    // The person signed up in the test before (their session is in the keychain); Bob, who has their number, calls from a device of his own.
    const stored = await vault.getSecret(sessionAccount(server.url));
    const me = { user: await server.api.withToken(stored?.token ?? 'none').typed().call(routes.me, {}) };
    const bob = await signIn(server.api, '+8613900139077', testDevice('Bob'));
    await server.api.withToken(bob.token).typed().call(routes.replaceAddressBook, { body: { entries: [{ ref: 'me', phones: ['+8613800138077'] }] } });
    const bobDevice = await new CallClient(server.url, bob.token).connected();
    try {
      // The window's socket is up: the call rings there.
      await expect.poll(async () => (await server.io.in(rooms.user(me.user.id)).fetchSockets()).length, { timeout: 8000 }).toBeGreaterThan(0);

      const first = await bobDevice.invite(me.user.id, 'video');
      expect(first.ack).toEqual({ ok: true });
      await expect.poll(() => callNotifier.shown.length, { timeout: 8000 }).toBe(1);
      expect(callNotifier.latest().notice).toMatchObject({ title: 'Incoming video call', body: expect.stringMatching(/139.*is calling you$/), buttons: ['Answer', 'Decline'] });
      await page.getByRole('button', { name: 'Decline' }).waitFor();

      callNotifier.latest().handlers.button(1);
      expect(await bobDevice.next('call:ended', first.callId)).toMatchObject({ reason: 'declined' });
      expect(callNotifier.latest().open).toBe(false);
      expect(raisedWindow).toEqual([]);
      expect(served.pushed).toContainEqual({ channel: 'switchboard:notifications.callAction', payload: { callId: first.callId, action: 'decline' } });

      // Bob tries again and gives up: the end of the call takes the notification away.
      const second = await bobDevice.invite(me.user.id);
      await expect.poll(() => callNotifier.shown.length, { timeout: 8000 }).toBe(2);
      expect(callNotifier.latest().notice.title).toBe('Incoming voice call');
      expect(callNotifier.latest().open).toBe(true);
      expect(await bobDevice.hangup(second.callId)).toEqual({ ok: true });
      await expect.poll(() => callNotifier.latest().open, { timeout: 8000 }).toBe(false);
      expect(served.calls.filter((call) => call.channel === 'switchboard:notifications.closeIncomingCall' && call.ok).length).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    } finally {
      bobDevice.close();
      await page.close();
    }
  });
});
