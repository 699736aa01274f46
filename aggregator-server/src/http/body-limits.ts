import type { RequestHandler } from 'express';
import { ApiError } from './api-error.js';

/**
 * Compressed request bodies are refused outright (415 with a code): a gzip body expands hundreds of times,
 * so its size on the wire says nothing about the work of reading it, and no Switchboard client sends one.
 */
export function refuseCompressedBodies(): RequestHandler {
  return (req, _res, next) => {
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      throw new ApiError(415, 'unsupported_media_type', 'compressed request bodies are not accepted; send the JSON uncompressed');
    }
    next();
  };
}

/** The size a request says it has, or `fallback` when it does not say (chunked). */
export function declaredBodyBytes(headers: { 'content-length'?: string | undefined }, fallback: number): number {
  const declared = Number(headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, fallback) : fallback;
}
