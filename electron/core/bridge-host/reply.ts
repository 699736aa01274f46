import type { ErrorCode } from '../../../common/contract/errors.js';

/**
 * What travels back over IPC for every bridge call. Electron's `ipcMain.handle` keeps only an
 * error's message (and contextBridge drops custom properties), so a thrown error would lose its code;
 * the host therefore never throws across the boundary and answers this envelope instead, which the
 * preload unwraps into a resolved value or a `BridgeError`.
 */
export type BridgeReply = { ok: true; value: unknown } | { ok: false; error: { code: BridgeHostErrorCode; message: string } };

export type BridgeHostErrorCode =
  /** The channel is not one of the contract's calls. */
  | 'unknown_call'
  /** The caller is not our app's top frame (another origin, a subframe, a navigated-away page). */
  | 'untrusted_sender'
  | 'invalid_arguments'
  | 'invalid_result'
  | 'unsupported'
  /** The OS keychain did not answer; the message says how to get one. */
  | 'keychain_unavailable'
  | 'corrupt_secret'
  | 'invalid_file'
  | 'file_too_large'
  | 'host_failed'
  /** Account calls (accounts.*): the plugin, the binding, the click they need. */
  | 'unknown_plugin'
  | 'not_password_plugin'
  | 'not_oauth_plugin'
  | 'not_bound'
  | 'invalid_username'
  | 'invalid_password'
  | 'no_user_gesture'
  | 'open_failed'
  | 'opener_missing'
  /** OAuth binding on the desktop: not signed in to Switchboard, the server unreachable, the browser never came back. */
  | 'not_signed_in'
  | 'network_error'
  | 'invalid_response'
  | 'timeout'
  | 'no_refresh_token'
  /** A code the server answered with during OAuth binding (common/contract/errors.ts). */
  | ErrorCode;

export class BridgeHostError extends Error {
  override readonly name = 'BridgeHostError';
  constructor(
    readonly code: BridgeHostErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The preload's side: the value of a successful reply, or the error to throw (its message leads with the code). */
export function describeReplyError(reply: BridgeReply & { ok: false }): string {
  return `${reply.error.code}: ${reply.error.message}`;
}
