import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Logger } from '../../platform/logger.js';
import type { ByteRange } from './file-store.js';

/**
 * Headers of every file answer: a download that a browser will neither sniff nor run, cached only by the
 * member's own browser (a shared cache must not serve it to someone else), revalidated by its SHA-256.
 */
export function setFileHeaders(res: Response, contentType: string, etag: string): void {
  res.set({
    'content-type': contentType,
    etag,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private, max-age=86400',
    // The same URL answers differently per signed-in user (or not at all).
    vary: 'Authorization, Cookie',
  });
}

/**
 * A download keeps the name it was uploaded with (RFC 6266): a plain-ASCII stand-in for old clients and
 * the exact name, percent-encoded, in `filename*`. Quotes, slashes and control characters never reach it.
 */
export function contentDisposition(fileName: string | null): string {
  if (fileName === null) return 'attachment';
  const safe = [...fileName].map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '"' || c === '\\' || c === '/' ? '_' : c)).join('').trim() || 'file';
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** If-None-Match names the file's tag (or `*`): the browser's copy is current. */
export function notModified(req: Request, etag: string): boolean {
  const header = req.get('if-none-match');
  if (!header) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/**
 * The one byte range asked for, when it can be served: absent, several ranges, or an If-Range naming an
 * older version of the file mean the whole file; a range past the end is 'unsatisfiable' (416).
 */
export function requestedRange(req: Request, etag: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!req.get('range')) return undefined;
  const ifRange = req.get('if-range');
  if (ifRange !== undefined && ifRange !== etag) return undefined;
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  const [range] = ranges;
  return range ? { start: range.start, end: range.end } : undefined;
}

/**
 * Streams a file to the client without holding it in memory. Once the status line is out an error can
 * no longer become a JSON answer: the connection is cut instead, so the client sees a short file.
 */
export async function streamFile(res: Response, body: Readable, log: Logger): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (error) {
    body.destroy();
    if (!res.headersSent) throw error;
    res.destroy();
    // A client that goes away mid-download is ordinary; a store that fails mid-stream is worth a line.
    if (!res.req.destroyed) log.warn({ reason: (error as Error).message }, 'a file download broke off');
  }
}
