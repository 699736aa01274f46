import fs from 'node:fs/promises';
import { app, BrowserWindow, ipcMain, protocol, session, type WebContents } from 'electron';
import { APP_ORIGIN, APP_SCHEME, bridgeCallChannels, resolveAppRequest, type BridgeHost } from '#core/bridge-host/index.js';
import type { UserGestureGate } from '#core/launcher/index.js';
import type { CallMediaPermission } from '#core/calls/media-permission.js';
import type { LoginWindowSpec, OpenedLoginWindow } from '#core/login-window/index.js';
import type { LoadedPlugin } from '#core/plugins/load.js';
import path from 'node:path';

/** Must run before `app` is ready: app:// behaves like https (secure context, fetch, relative URLs). */
/** What every window of ours runs with: no Node, sandboxed, isolated, and no way to loosen web security. */
const lockedDownWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  navigateOnDragDrop: false,
} as const;

export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** Inputs that mean the person acted in the window; page script cannot produce these events. */
const GESTURE_INPUTS = new Set(['mouseDown', 'mouseUp', 'keyDown', 'rawKeyDown', 'gestureTap', 'touchEnd']);

/**
 * Login windows may move around their network's own site (a form post, a redirect after signing in);
 * each registers here which top-frame URLs it may go to. Nothing else may navigate at all.
 */
const loginNavigation = new WeakMap<WebContents, (url: string) => boolean>();

/**
 * Every web contents, ours or not: no navigation away, no new windows, no webviews, no permissions.
 * The renderer routes itself with the History API, so a real navigation is always an attack or a
 * link someone forgot to send through the launcher. A login window's top frame may go where its
 * network's policy allows; its subframes (a captcha, say) may load, but never navigate it.
 */
export function lockDownAllContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => {
      if (event.isMainFrame && loginNavigation.get(contents)?.(event.url) === true) return;
      event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      const allows = loginNavigation.get(contents);
      if (allows !== undefined && (!event.isMainFrame || allows(event.url))) return;
      event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

/**
 * Calls (M26): microphone and camera for the app's own window while a call is on; electron/core decides
 * (CallMediaPermission), this only asks it. Everything else stays refused, as lockDownAllContents set it.
 */
export function allowCallMedia(permission: CallMediaPermission, ourContents: () => WebContents | undefined): void {
  session.defaultSession.setPermissionRequestHandler((contents, name, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(
      permission.allows({
        permission: name,
        requestingUrl: details.requestingUrl,
        fromAppWindow: contents === ourContents(),
        isMainFrame: details.isMainFrame,
        ...(mediaTypes === undefined ? {} : { mediaTypes }),
      }),
    );
  });
  session.defaultSession.setPermissionCheckHandler((contents, name, requestingOrigin) =>
    permission.allows({ permission: name, requestingUrl: requestingOrigin, fromAppWindow: contents !== null && contents === ourContents(), isMainFrame: undefined }),
  );
}

/**
 * `plugins` is asked at every request: a network the server's catalogue added since start shows its icon
 * from the catalogue cache (a merged plugin's `dir` is that cache folder).
 */
export function serveAppScheme(options: { rendererDir: string; plugins: () => readonly LoadedPlugin[]; serverUrl: string }): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resource = resolveAppRequest(request.url, {
      rendererDir: options.rendererDir,
      serverUrl: options.serverUrl,
      pluginIcon: (id) => {
        const plugin = options.plugins().find((candidate) => candidate.id === id);
        return plugin === undefined ? undefined : path.join(plugin.dir, plugin.manifest.icon);
      },
    });
    if (!resource.ok) return new Response(resource.message, { status: resource.status, headers: { 'content-type': 'text/plain' } });
    const body = await fs.readFile(resource.file);
    return new Response(body, { headers: { 'content-type': resource.contentType, ...resource.headers } });
  });
}

/**
 * One `ipcMain.handle` per contract channel. The host checks the sender's frame URL and that it is
 * the top frame; here we add that it is our window's contents at all.
 */
export function serveBridge(host: BridgeHost, ourContents: () => WebContents | undefined): void {
  for (const channel of bridgeCallChannels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const frame = event.senderFrame;
      const ours = event.sender === ourContents();
      return host.handle(channel, args, {
        source: String(event.sender.id),
        senderUrl: ours ? frame?.url : undefined,
        isTopFrame: frame !== null && frame.parent === null,
      });
    });
  }
}

export function createMainWindow(options: {
  preload: string;
  startUrl: string;
  gestures: UserGestureGate;
  host: BridgeHost;
  show: boolean;
}): BrowserWindow {
  const window = new BrowserWindow({
    width: 1180,
    height: 780,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Switchboard',
    webPreferences: {
      preload: options.preload,
      ...lockedDownWebPreferences,
      spellcheck: false,
    },
  });
  const contents = window.webContents;
  const source = String(contents.id);
  contents.on('input-event', (_event, input) => {
    if (GESTURE_INPUTS.has(input.type)) options.gestures.recordInput(source);
  });
  const unsubscribe = options.host.onEvent((channel, payload) => {
    if (!contents.isDestroyed()) contents.send(channel, payload);
  });
  window.on('closed', () => {
    unsubscribe();
    options.gestures.forget(source);
  });
  window.once('ready-to-show', () => {
    if (options.show) window.show();
  });
  void window.loadURL(options.startUrl);
  return window;
}

export const appStartUrl = `${APP_ORIGIN}/`;

/**
 * A password network's web site, in a window of its own: the bound account's persistent session,
 * sandboxed, no preload (the site gets no bridge and no Node), no permissions, no downloads, no popups,
 * and top-level navigation only within the network's hosts. electron/core/login-window fills the form.
 */
export function createLoginWindow(spec: LoginWindowSpec): OpenedLoginWindow {
  const accountSession = session.fromPartition(spec.partition);
  accountSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  accountSession.setPermissionCheckHandler(() => false);
  accountSession.on('will-download', (event) => event.preventDefault());
  const window = new BrowserWindow({
    width: 1100,
    height: 800,
    title: spec.title,
    webPreferences: {
      session: accountSession,
      ...lockedDownWebPreferences,
      webviewTag: false,
      spellcheck: false,
    },
  });
  loginNavigation.set(window.webContents, spec.allowsNavigation);
  // The site's own title would hide which account this window is.
  window.on('page-title-updated', (event) => event.preventDefault());
  const closedListeners: (() => void)[] = [];
  window.on('closed', () => {
    for (const listener of closedListeners.splice(0)) listener();
  });
  return {
    contents: window.webContents,
    focus: () => {
      if (window.isDestroyed()) return;
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    },
    onClosed: (listener) => {
      closedListeners.push(listener);
    },
  };
}
