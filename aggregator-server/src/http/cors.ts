import type { RequestHandler } from 'express';

/**
 * The API authenticates with bearer tokens, never cookies, so any origin may call it: a page cannot
 * borrow a user's session it does not hold. This lets the desktop app's renderer (served from its own
 * app:// origin) and other clients use the same API as the web client.
 */
export function apiCors(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('access-control-allow-origin', '*');
    // content-disposition: a download's name, which the desktop window reads to save the file under it.
    res.setHeader('access-control-expose-headers', 'retry-after, x-content-integrity, content-disposition');
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
    // x-file-name: an upload's name (POST /v1/attachments), sent by the desktop window from its own origin.
    res.setHeader('access-control-allow-headers', 'authorization, content-type, x-file-name');
    res.setHeader('access-control-max-age', '600');
    res.status(204).end();
  };
}
