import { BridgeError, type DesktopBridge } from '../../common/bridge/contract.js';
import { createIpcBridge } from '../../common/bridge/ipc.js';

/** The part of `ipcRenderer` the bridge uses; the test harness supplies the same over Playwright bindings. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

const contractCodes = new Set(['unsupported', 'invalid_arguments', 'invalid_result', 'host_failed']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Main answers every call with `{ ok, value }` or `{ ok: false, error: { code, message } }` (see
 * electron/core/bridge-host/reply.ts): a thrown error would lose its code crossing IPC. Errors that
 * reach the page keep the code at the front of the message ("keychain_unavailable: ..."), because
 * contextBridge copies only an error's message to the page.
 */
export function unwrapReply(channel: string, reply: unknown): unknown {
  if (isRecord(reply) && reply.ok === true && 'value' in reply) return reply.value;
  if (isRecord(reply) && reply.ok === false && isRecord(reply.error)) {
    const code = typeof reply.error.code === 'string' ? reply.error.code : 'host_failed';
    const message = typeof reply.error.message === 'string' ? reply.error.message : 'the desktop app failed';
    const contractCode = contractCodes.has(code) ? (code as BridgeError['code']) : 'host_failed';
    throw new BridgeError(contractCode, `${code}: ${message}`);
  }
  throw new BridgeError('invalid_result', `host_failed: ${channel} answered outside the reply envelope`);
}

/**
 * The object the preload exposes as `window.switchboardDesktop`: the contract's own IPC client
 * (which validates every result) over `ipcRenderer`, on the contract's channel names only. Nothing
 * of `ipcRenderer` itself is reachable from the page.
 */
export function createDesktopBridge(ipc: RendererIpc): DesktopBridge {
  return createIpcBridge({
    invoke: async (channel, args) => unwrapReply(channel, await ipc.invoke(channel, ...args)),
    subscribe: (channel, listener) => {
      const forward = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  });
}
