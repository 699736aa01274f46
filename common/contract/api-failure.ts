import { errorBodySchema } from './errors.js';

/**
 * A failed call to the server, carrying the contract's error code so every client can show or act on it.
 * Status 0 means the server was not reached at all.
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  get offline(): boolean {
    return this.status === 0;
  }
}

/** The failure an error answer describes: the contract's `{ error: { code, message } }`, or `fallback` when it is not one. */
export function failureFromAnswer(status: number, payload: unknown, fallback: { code: string; message: string }): ApiFailure {
  const parsed = errorBodySchema.safeParse(payload);
  if (!parsed.success) return new ApiFailure(status, fallback.code, fallback.message);
  const { code, message, ...details } = parsed.data.error;
  return new ApiFailure(status, code, message, details);
}
