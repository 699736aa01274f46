import { bridgeCalls, bridgeEvents, type BridgeCallName, type BridgeEventName, type BridgePort, type BridgeReply } from '#common/bridge/contract.js';

/** The part of `ipcRenderer` the bridge uses; the test harness supplies the same over Playwright bindings. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

function isCallName(name: unknown): name is BridgeCallName {
  return typeof name === 'string' && Object.hasOwn(bridgeCalls, name);
}

function isEventName(name: unknown): name is BridgeEventName {
  return typeof name === 'string' && Object.hasOwn(bridgeEvents, name);
}

/**
 * The object the preload exposes as `window.switchboardDesktop`: the contract's calls and events by name
 * over `ipcRenderer`, on the contract's channel names only (the page never names a channel, and nothing
 * of `ipcRenderer` itself is reachable from it). Main answers every call with the contract's
 * `BridgeReply` envelope, passed to the page as it is; the page's `createIpcBridge` validates it and turns
 * failures into `BridgeError`s with their codes.
 */
export function createPreloadPort(ipc: RendererIpc): BridgePort {
  return {
    async call(name, args) {
      if (!isCallName(name)) return { ok: false, error: { code: 'unknown_call', message: 'not a bridge call' } } satisfies BridgeReply;
      try {
        return await ipc.invoke(bridgeCalls[name].channel, ...(Array.isArray(args) ? args : []));
      } catch (error) {
        // Main never throws across IPC; this is the channel itself failing (e.g. main is shutting down).
        return { ok: false, error: { code: 'host_failed', message: error instanceof Error ? error.message : 'the desktop app did not answer' } } satisfies BridgeReply;
      }
    },
    subscribe(name, listener) {
      if (!isEventName(name)) return () => undefined;
      const channel = bridgeEvents[name].channel;
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
}
