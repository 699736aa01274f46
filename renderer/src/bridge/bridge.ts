import { WebBridge, type DesktopBridge } from '../../../common/bridge/index.js';
import { createBrowserHost } from './browser-host.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge) when the renderer runs inside the desktop app. */
    switchboardDesktop?: DesktopBridge;
  }
}

let current: DesktopBridge | undefined;

/** The desktop's preload bridge when there is one, the browser implementation otherwise. */
export function bridge(): DesktopBridge {
  current ??= window.switchboardDesktop ?? new WebBridge(createBrowserHost());
  return current;
}
