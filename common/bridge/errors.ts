import { z } from 'zod';
import { errorCodes } from '../contract/errors.js';

/**
 * Why a bridge call failed, as a code the renderer can act on. The host's own codes, then every code a
 * Switchboard server may answer with (the desktop passes those on during OAuth binding).
 */
export const bridgeHostErrorCodes = [
  /** The call is not one of the contract's calls. */
  'unknown_call',
  /** The caller is not our app's top frame (another origin, a subframe, a navigated-away page). */
  'untrusted_sender',
  'invalid_arguments',
  'invalid_result',
  'unsupported',
  // keychain_unavailable (the OS keychain did not answer; the message says how to get one) is one of
  // the server's codes too, so it comes from errorCodes below.
  'corrupt_secret',
  'invalid_file',
  'file_too_large',
  'host_failed',
  /** Account calls (accounts.*): the plugin, the binding, the click they need. */
  'unknown_plugin',
  'not_password_plugin',
  'not_oauth_plugin',
  'not_bound',
  'invalid_username',
  'invalid_password',
  'no_user_gesture',
  'open_failed',
  'opener_missing',
  /** OAuth binding on the desktop: not signed in to Switchboard, the server unreachable, the browser never came back. */
  'not_signed_in',
  'network_error',
  'invalid_response',
  'timeout',
  'no_refresh_token',
] as const;

export const bridgeErrorCode = z.enum([...bridgeHostErrorCodes, ...errorCodes]);
export type BridgeErrorCode = z.infer<typeof bridgeErrorCode>;

/** A failed call as it crosses the bridge: a structured object, so nobody parses codes out of messages. */
export const bridgeFailure = z.object({
  code: bridgeErrorCode,
  message: z.string().max(4000),
  /** Seconds to wait before trying again, when the server said so (`too_many_requests`). */
  retryAfter: z.number().int().nonnegative().optional(),
});
export type BridgeFailure = z.infer<typeof bridgeFailure>;

/**
 * What every bridge call answers across the process boundary. Electron's `ipcMain.handle` keeps only
 * an error's message, and contextBridge drops an error's own properties on the way to the page, so
 * nothing throws across it: the host answers this envelope, and the page's side of the bridge turns
 * a failure into a `BridgeError` in the page's own world, where its `code` survives.
 */
export const bridgeReply = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: bridgeFailure }),
]);
export type BridgeReply = { ok: true; value: unknown } | { ok: false; error: BridgeFailure };

/** A bridge call that failed, with the contract's code; thrown by both hosts' page-side bridges. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly retryAfter: number | undefined;
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    options: { retryAfter?: number } = {},
  ) {
    super(message);
    this.retryAfter = options.retryAfter;
  }

  get failure(): BridgeFailure {
    return { code: this.code, message: this.message, ...(this.retryAfter === undefined ? {} : { retryAfter: this.retryAfter }) };
  }
}

export function isBridgeErrorCode(code: unknown): code is BridgeErrorCode {
  return bridgeErrorCode.safeParse(code).success;
}
