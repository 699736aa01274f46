/**
 * Why a call into a plugin failed. The host never lets a plugin's failure escape as anything else, so
 * callers (the UI, the CLI) can switch on `code` and the app keeps running.
 */
export type PluginHostErrorCode =
  /** The plugin has no `main`, or its code does not export the method the caller wants. */
  | 'not_implemented'
  /** The sandbox did not start or the plugin's module failed to load (syntax error, denied import). */
  | 'plugin_load_failed'
  /** The call took longer than its time limit; the sandbox was killed and starts afresh next time. */
  | 'plugin_timeout'
  /** The sandbox process died during the call (crash, out of memory, killed). */
  | 'plugin_crashed'
  /** The sandbox crashed again and again; the host refuses calls for a while. */
  | 'plugin_crash_loop'
  /** The sandbox sent something outside the protocol. */
  | 'plugin_protocol_error'
  /** The plugin's answer does not have the shape of the adapter method's result. */
  | 'invalid_result'
  /** The plugin code threw; the message is the plugin's own. */
  | 'plugin_error'
  /** The host was stopped while the call ran. */
  | 'host_stopped'
  /** The arguments the app passed are not valid (e.g. not an E.164 number). */
  | 'invalid_argument';

export class PluginHostError extends Error {
  override readonly name = 'PluginHostError';
  constructor(
    readonly code: PluginHostErrorCode,
    message: string,
    readonly pluginCode?: string,
  ) {
    super(message);
  }
}

/** Codes the host answers a plugin's own requests with (`ctx.fetch`, `ctx.secrets`): the plugin sees them as `error.code`. */
export type PluginRequestErrorCode =
  | 'host_not_allowed'
  | 'scheme_not_allowed'
  | 'invalid_url'
  | 'fetch_failed'
  | 'fetch_timeout'
  | 'response_too_large'
  | 'invalid_secret_key'
  | 'vault_error'
  | 'no_account';

export class PluginRequestError extends Error {
  override readonly name = 'PluginRequestError';
  constructor(
    readonly code: PluginRequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}
