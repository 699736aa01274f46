import { createIpcBridge, WebBridge, type BridgePort, type DesktopBridge } from '#common/bridge/index.js';
import { createBrowserHost } from './browser-host.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge) when the renderer runs inside the desktop app. */
    switchboardDesktop?: BridgePort;
  }
}

let current: DesktopBridge | undefined;

/** The desktop's bridge over the preload's port when there is one, the browser implementation otherwise. */
export function bridge(): DesktopBridge {
  current ??= window.switchboardDesktop === undefined ? new WebBridge(createBrowserHost()) : createIpcBridge(window.switchboardDesktop);
  return current;
}
