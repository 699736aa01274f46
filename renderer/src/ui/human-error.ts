import { ApiFailure, describeFailure } from '../api/failure.js';
import { isMessageKey, type MessageKey, type MessageParams, type Translate } from '../i18n/i18n.js';

/** "0:42" or "12 s": a wait the server asked for, as a person reads it. */
export function formatWait(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * The words for a failure: the message of its code in the user's language, never the code itself, a
 * variable name or the server's developer text. An unknown code falls back to a general message.
 */
export function humanError(t: Translate, error: unknown, params: MessageParams = {}, paced?: MessageKey): { code: string; text: string } {
  const { code } = describeFailure(error);
  const key = `error.${code}`;
  const retryAfter = error instanceof ApiFailure && typeof error.details.retryAfter === 'number' ? error.details.retryAfter : undefined;
  const allParams: MessageParams = {
    network: '',
    ...params,
    ...(retryAfter === undefined ? {} : { time: formatWait(retryAfter), minutes: Math.max(1, Math.ceil(retryAfter / 60)) }),
  };
  // A limit of an action (likes an hour) says which, and when it may be done again.
  if (paced !== undefined && code === 'rate_limited' && retryAfter !== undefined) return { code, text: t(paced, allParams) };
  if (isMessageKey(key)) return { code, text: t(key, allParams) };
  const serverSide = error instanceof ApiFailure && error.status >= 500;
  return { code, text: t(serverSide ? 'error.internal_error' : 'error.client_error', allParams) };
}
