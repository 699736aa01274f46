// Bundled for the browser and injected into every frame before any page script runs: the test's
// stand-in for the Electron preload. It builds `window.switchboardDesktop` with the preload's own
// code (createPreloadPort), over Playwright bindings instead of ipcRenderer, and, for test pages that
// are not the renderer, `window.switchboardBridge` the way the renderer builds its bridge from it.
import { z } from 'zod';
import { createIpcBridge, type BridgePort, type DesktopBridge } from '#common/bridge/index.js';
import { createPreloadPort, type RendererIpc } from '#preload/desktop-bridge.js';

type Listener = (event: unknown, payload: unknown) => void;

interface ShimGlobal {
  __switchboardInvoke(channel: string, args: unknown[]): Promise<unknown>;
  __switchboardDeliver?: (channel: string, payload: unknown) => void;
  switchboardDesktop?: BridgePort;
  switchboardBridge?: DesktopBridge;
}

// The test page's CSP forbids eval; the real preload runs in an isolated world instead.
z.config({ jitless: true });

const page = globalThis as unknown as ShimGlobal;
const listeners = new Map<string, Set<Listener>>();

const ipc: RendererIpc = {
  invoke: (channel, ...args) => page.__switchboardInvoke(channel, args),
  on: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(channel, set);
  },
  removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
};

page.__switchboardDeliver = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener(undefined, payload);
};
page.switchboardDesktop = createPreloadPort(ipc);
page.switchboardBridge = createIpcBridge(page.switchboardDesktop);
