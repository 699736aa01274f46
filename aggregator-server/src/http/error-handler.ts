import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../platform/logger.js';
import { ApiError } from './api-error.js';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** Every failure leaves as the contract's error body; nothing below the HTTP layer can crash the process. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let apiError: ApiError;
    if (error instanceof ApiError) {
      apiError = error;
    } else if (isBodyParserError(error)) {
      apiError =
        error.type === 'entity.too.large'
          ? new ApiError(413, 'payload_too_large', 'the request body is too large')
          : new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
    } else {
      log.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
      apiError = new ApiError(500, 'internal_error', 'something went wrong on the server');
    }
    if (apiError.status === 429 && typeof apiError.details.retryAfter === 'number') {
      res.setHeader('retry-after', String(apiError.details.retryAfter));
    }
    res.status(apiError.status).json(apiError.toBody());
  };
}

function isBodyParserError(error: unknown): error is { type: string; status: number } {
  return typeof error === 'object' && error !== null && 'type' in error && typeof (error as { type: unknown }).type === 'string' && 'status' in error;
}
