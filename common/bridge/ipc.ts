import type { z } from 'zod';
import {
  bridgeCalls,
  bridgeEvents,
  type BridgeCallArgs,
  type BridgeCallName,
  type BridgeCallResult,
  type BridgeEventName,
  type BridgePort,
  type DesktopBridge,
  type Unsubscribe,
} from './contract.js';
import { BridgeError, bridgeReply } from './errors.js';

/**
 * The page's side of the desktop bridge, over the preload's port. Replies are checked against the
 * contract: a failure becomes a `BridgeError` built here, in the page's own world, so its `code` is a
 * real property; a value is checked against the call's result schema, so a main process that drifted
 * from the contract fails loudly at the boundary instead of deep in the UI.
 */
export function createIpcBridge(port: BridgePort): DesktopBridge {
  async function call<Name extends BridgeCallName>(name: Name, ...args: BridgeCallArgs<Name>): Promise<BridgeCallResult<Name>> {
    const reply = bridgeReply.safeParse(await port.call(name, args));
    if (!reply.success) throw new BridgeError('invalid_result', `${name} answered outside the reply envelope: ${reply.error.message}`);
    if (!reply.data.ok) {
      const { code, message, retryAfter } = reply.data.error;
      throw new BridgeError(code, message, retryAfter === undefined ? {} : { retryAfter });
    }
    const parsed = (bridgeCalls[name].result as z.ZodType).safeParse(reply.data.value);
    if (!parsed.success) throw new BridgeError('invalid_result', `${name} answered outside the contract: ${parsed.error.message}`);
    return parsed.data as BridgeCallResult<Name>;
  }
  function listen<Name extends BridgeEventName>(name: Name, listener: (payload: z.infer<(typeof bridgeEvents)[Name]['payload']>) => void): Unsubscribe {
    return port.subscribe(name, (payload) => {
      const parsed = (bridgeEvents[name].payload as z.ZodType).safeParse(payload);
      if (parsed.success) listener(parsed.data as z.infer<(typeof bridgeEvents)[Name]['payload']>);
    });
  }
  return {
    app: {
      info: () => call('app.info'),
      setStartAtLogin: (request) => call('app.setStartAtLogin', request),
    },
    session: {
      get: () => call('session.get'),
      set: (session) => call('session.set', session),
      signIn: (request) => call('session.signIn', request),
      clear: () => call('session.clear'),
    },
    watcher: {
      status: () => call('watcher.status'),
      onChanged: (listener) => listen('watcher.changed', listener),
    },
    launcher: { open: (request) => call('launcher.open', request) },
    plugins: { list: () => call('plugins.list') },
    import: { pickFile: (request) => call('import.pickFile', request) },
    notifications: {
      setForContact: (request) => call('notifications.setForContact', request),
      setUnreadCount: (request) => call('notifications.setUnreadCount', request),
      showIncomingCall: (request) => call('notifications.showIncomingCall', request),
      closeIncomingCall: (request) => call('notifications.closeIncomingCall', request),
      onCallAction: (listener) => listen('notifications.callAction', listener),
    },
    accounts: {
      list: () => call('accounts.list'),
      bindPassword: (request) => call('accounts.bindPassword', request),
      bindOAuth: (request) => call('accounts.bindOAuth', request),
      unbind: (request) => call('accounts.unbind', request),
      openLoggedIn: (request) => call('accounts.openLoggedIn', request),
    },
    contacts: {
      networkContacts: () => call('contacts.networkContacts'),
      syncAccounts: () => call('contacts.syncAccounts'),
      lookupIdentity: (request) => call('contacts.lookupIdentity', request),
    },
    status: {
      get: () => call('status.get'),
      set: (status) => call('status.set', status),
      onChanged: (listener) => listen('status.changed', listener),
    },
    calls: { setMediaActive: (request) => call('calls.setMediaActive', request) },
  };
}

/**
 * The main-process side: validates the renderer's arguments before the implementation sees them
 * (the renderer is the less trusted side) and the result before it leaves.
 */
export async function serveBridgeCall<Name extends BridgeCallName>(
  name: Name,
  rawArgs: unknown,
  implementation: (...args: BridgeCallArgs<Name>) => Promise<BridgeCallResult<Name>>,
): Promise<BridgeCallResult<Name>> {
  const spec = bridgeCalls[name];
  const args = (spec.args as z.ZodType).safeParse(rawArgs);
  if (!args.success) throw new BridgeError('invalid_arguments', `${name}: ${args.error.message}`);
  const result = await implementation(...(args.data as BridgeCallArgs<Name>));
  const checked = (spec.result as z.ZodType).safeParse(result);
  if (!checked.success) throw new BridgeError('invalid_result', `${name}: ${checked.error.message}`);
  return checked.data as BridgeCallResult<Name>;
}

/** The channel a call or event travels on; main and preload look names up here instead of repeating strings. */
export function channelOf(name: BridgeCallName | BridgeEventName): string {
  return name in bridgeCalls ? bridgeCalls[name as BridgeCallName].channel : bridgeEvents[name as BridgeEventName].channel;
}
