import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../platform/logger.js';
import { ApiError } from './api-error.js';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/**
 * Refuses a NUL byte anywhere in the address (path or query), before any route sees it: no field of
 * ours may hold one, and PostgreSQL cannot store it in text at all. Bodies are checked in parseBody.
 */
export const refuseNulInUrl: RequestHandler = (req, _res, next) => {
  if (/%00|\0/i.test(req.originalUrl)) {
    next(new ApiError(400, 'invalid_request', 'the address contains a NUL character'));
    return;
  }
  next();
};

/** Every failure leaves as the contract's error body; nothing below the HTTP layer can crash the process. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const apiError = toApiError(error);
    if (!apiError) log.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    let answer = apiError ?? new ApiError(500, 'internal_error', 'something went wrong on the server');
    if (answer.status === 429) {
      // Every 429 says when to come back, in the body and in Retry-After; a second when nobody said.
      const retryAfter = typeof answer.details.retryAfter === 'number' ? answer.details.retryAfter : 1;
      answer = new ApiError(429, answer.code, answer.message, { ...answer.details, retryAfter });
      res.setHeader('retry-after', String(retryAfter));
    }
    res.status(answer.status).json(answer.toBody());
  };
}

/** What the client got wrong, as an ApiError; undefined for a fault of the server (logged, 500). */
function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isBodyParserError(error)) {
    if (error.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'the request body is too large');
    if (error.type === 'entity.parse.failed') return new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  // The router's "Failed to decode param" (a malformed %-escape in the path) and any http-errors error
  // that says the request was at fault (a 4xx marked `expose`, as express and its parsers raise) are the
  // client's, not ours.
  if (error instanceof URIError) return new ApiError(400, 'invalid_request', 'the address has a malformed %-escape');
  const status = statusOf(error);
  const exposed = (error as { expose?: unknown } | null)?.expose === true;
  if (exposed && status !== undefined && status >= 400 && status < 500) {
    return new ApiError(status, status === 413 ? 'payload_too_large' : 'invalid_request', 'the request could not be understood');
  }
  // PostgreSQL refusing text it cannot store (22021 invalid byte sequence, 22P05 untranslatable
  // character): input that slipped past validation, still the client's.
  const pgCode = (error as { code?: unknown } | null)?.code;
  if (pgCode === '22021' || pgCode === '22P05') return new ApiError(400, 'invalid_request', 'the request holds characters that cannot be stored');
  return undefined;
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  if (typeof status === 'number') return status;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

function isBodyParserError(error: unknown): error is { type: string; status: number } {
  return typeof error === 'object' && error !== null && 'type' in error && typeof (error as { type: unknown }).type === 'string' && 'status' in error;
}
