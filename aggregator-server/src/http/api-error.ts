import type { ErrorCode } from '#common/contract/errors.js';

/** An error that becomes the contract's `{ error: { code, message, ...details } }` with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): { error: { code: ErrorCode; message: string; [detail: string]: unknown } } {
    return { error: { ...this.details, code: this.code, message: this.message } };
  }
}

export function tooManyRequests(code: 'too_many_requests' | 'too_many_attempts' | 'resend_too_soon', message: string, retryAfterMs: number): ApiError {
  return new ApiError(429, code, message, { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
}
