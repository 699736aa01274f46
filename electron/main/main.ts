// Electron main: a thin shell over electron/core. Everything it decides (which link to open, who may
// call the bridge, what a notification says) lives in electron/core and is tested there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow } from 'electron';
import type { DesktopCore } from '#core/app/index.js';
import { APP_ORIGIN, deepLinkInArgv, DESKTOP_PROTOCOL, parseDeepLink } from '#core/bridge-host/index.js';
import { createDesktop } from './desktop.js';
import { createTray } from './tray.js';
import { allowCallMedia, appStartUrl, createMainWindow, lockDownAllContents, registerAppScheme, serveAppScheme, serveBridge } from './window.js';

// Bundled to dist/electron/main.mjs; the repository (or the packaged app.asar) is two levels up.
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const rendererDir = path.join(root, 'renderer', 'dist');
const preload = path.join(here, 'preload.cjs');
const serverUrl = new URL(process.env.SWITCHBOARD_SERVER_URL ?? 'http://127.0.0.1:8080').origin;
// The built renderer from app://, unless it is missing or SWITCHBOARD_RENDERER=server asks for the server's web client.
const useServerClient = process.env.SWITCHBOARD_RENDERER === 'server' || !fs.existsSync(path.join(rendererDir, 'index.html'));
const startHidden = process.argv.includes('--hidden');

let desktop: DesktopCore | undefined;
let mainWindow: BrowserWindow | undefined;
let quitting = false;
const pendingLinks: string[] = [];

function handleDeepLink(raw: string): void {
  const link = parseDeepLink(raw);
  if (link === undefined) return;
  if (desktop === undefined) {
    pendingLinks.push(raw);
    return;
  }
  desktop.handoffs.deliver(link);
  showWindow();
}

function showWindow(): void {
  if (mainWindow === undefined || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  // Another Switchboard runs: it receives our argv (and any switchboard:// link) via 'second-instance'.
  app.quit();
} else {
  if (process.defaultApp) app.setAsDefaultProtocolClient(DESKTOP_PROTOCOL, process.execPath, [path.resolve(process.argv[1] ?? '.')]);
  else app.setAsDefaultProtocolClient(DESKTOP_PROTOCOL);

  app.on('second-instance', (_event, argv) => {
    const link = deepLinkInArgv(argv);
    if (link !== undefined) handleDeepLink(link);
    else showWindow();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handleDeepLink(url);
  });
  const firstLink = deepLinkInArgv(process.argv);
  if (firstLink !== undefined) pendingLinks.push(firstLink);

  app.whenReady().then(start, (error: unknown) => {
    console.error('Switchboard could not start:', error);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  lockDownAllContents();
  const core = await createDesktop({
    root,
    serverUrl,
    trustedOrigins: [useServerClient ? serverUrl : APP_ORIGIN],
    window: () => mainWindow,
  });
  desktop = core;
  const bridge = core.bridge;
  if (bridge === undefined) throw new Error('the desktop core was composed without its shell');
  serveAppScheme({ rendererDir, plugins: () => core.plugins(), serverUrl });
  serveBridge(bridge, () => mainWindow?.webContents);
  allowCallMedia(core.callMedia, () => mainWindow?.webContents);

  const openWindow = (show: boolean) => {
    mainWindow = createMainWindow({ preload, startUrl: useServerClient ? `${serverUrl}/` : appStartUrl, gestures: core.gestures, host: bridge, show });
    // Closing the window keeps Switchboard in the tray, watching apps; Quit in the tray ends it.
    mainWindow.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      mainWindow?.hide();
    });
  };
  openWindow(!startHidden);
  const tray = createTray(core, {
    show: () => (mainWindow === undefined || mainWindow.isDestroyed() ? openWindow(true) : showWindow()),
    quit: () => app.quit(),
  });
  core.onEvent((event) => {
    if (event.type === 'changed') tray.refresh();
  });
  for (const link of pendingLinks.splice(0)) handleDeepLink(link);
  app.on('activate', showWindow);
}

app.on('before-quit', () => {
  quitting = true;
});
app.on('will-quit', (event) => {
  if (desktop === undefined) return;
  const stopping = desktop;
  desktop = undefined;
  event.preventDefault();
  void stopping.stop().finally(() => app.quit());
});
// With a tray, closing every window is not quitting.
app.on('window-all-closed', () => undefined);
