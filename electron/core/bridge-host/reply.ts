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
  | 'host_failed';

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
