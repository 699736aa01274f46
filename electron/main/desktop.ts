import path from 'node:path';
import { app, clipboard, dialog, Notification, shell, type BrowserWindow } from 'electron';
import { DesktopCore, type DesktopShell } from '#core/app/index.js';
import { setLinuxAutostart } from '#core/bridge-host/index.js';
import { configDir } from '#core/device.js';
import { createPlatformProbe, type ExternalOpener } from '#core/launcher/index.js';
import { extraPluginDirs } from '#core/plugins/load.js';
import { createVault } from '#core/vault/index.js';
import { currentPlatform } from '#core/watcher/index.js';
import { createLoginWindow } from './window.js';

/**
 * The Electron pieces the desktop core cannot have in plain Node (dialog, shell, notifications, login
 * items, the protocol-handler lookup, login windows), handed to the one composition of the core
 * (electron/core/app/desktop-core.ts) that `switchboard agent` runs too.
 */
export async function createDesktop(options: {
  root: string;
  serverUrl: string;
  trustedOrigins: readonly string[];
  window: () => BrowserWindow | undefined;
}): Promise<DesktopCore> {
  const platform = currentPlatform();
  const openExternal: ExternalOpener = async (url) => {
    try {
      await shell.openExternal(url, { activate: true });
      return { ok: true };
    } catch (error) {
      return { ok: false, code: 'open_failed', message: error instanceof Error ? error.message : String(error) };
    }
  };
  const electronShell: DesktopShell = {
    version: app.getVersion(),
    trustedOrigins: options.trustedOrigins,
    iconUrl: (id) => `app://switchboard/plugins/${id}/icon`,
    openExternal,
    handlerProbe: createPlatformProbe({ platform, handlerName: (scheme) => app.getApplicationNameForProtocol(`${scheme}://`) }),
    writeClipboard: (text) => {
      clipboard.writeText(text);
      return true;
    },
    pickFile: async (extensions) => {
      const parent = options.window();
      const filters = [{ name: 'Address books', extensions: [...extensions] }];
      const picked = parent ? await dialog.showOpenDialog(parent, { properties: ['openFile'], filters }) : await dialog.showOpenDialog({ properties: ['openFile'], filters });
      return picked.canceled ? null : (picked.filePaths[0] ?? null);
    },
    setStartAtLogin: (enabled) => {
      if (platform === 'linux') setLinuxAutostart(enabled, [process.execPath, ...(process.defaultApp ? [path.resolve(process.argv[1] ?? '.')] : [])]);
      else app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    },
    ...(Notification.isSupported()
      ? {
          notify: (notice) => {
            const shown = new Notification({ title: notice.title, body: notice.body, silent: false });
            shown.on('click', () => options.window()?.show());
            shown.show();
          },
          callNotifier: {
            // Electron shows a notification's buttons on macOS and Windows; on Linux a click brings the window.
            buttons: process.platform === 'darwin' || process.platform === 'win32',
            show: (notice, handlers) => {
              const actions = notice.buttons.map((text) => ({ type: 'button' as const, text }));
              // Silent: the window rings with its own tone while the call rings.
              const shown = new Notification({ title: notice.title, body: notice.body, actions, urgency: 'critical', timeoutType: 'never', silent: true });
              shown.on('action', (details) => handlers.button(details.actionIndex));
              shown.on('click', () => handlers.click());
              shown.on('close', () => handlers.closed());
              shown.show();
              return { close: () => shown.close() };
            },
          },
        }
      : {}),
    windowFocused: () => options.window()?.isFocused() ?? false,
    raiseWindow: () => {
      const window = options.window();
      if (window === undefined) return;
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
    },
    createLoginWindow: async (spec) => createLoginWindow(spec),
  };
  const core = await DesktopCore.create({
    serverUrl: options.serverUrl,
    builtinPluginsDir: path.join(options.root, 'plugins'),
    extraPluginDirs: extraPluginDirs([], process.env),
    configDir: configDir(),
    vault: createVault(),
    log: { info: (line) => console.log(line), warn: (line) => console.warn(line) },
    platform,
    shell: electronShell,
  });
  // A keychain that cannot be read was logged by the core; the window shows it when it asks for the session.
  await core.start().catch(() => undefined);
  return core;
}
