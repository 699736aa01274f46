import type { RequestHandler } from 'express';
import { ApiError } from '../../http/api-error.js';

/** Whether a listen address is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * The origin browsers and OAuth providers reach this server at, for redirect URIs and authorize links.
 * Never taken from a request's Host header, which the client writes: PUBLIC_URL, or, on a server that
 * listens on loopback only, its own listen URL. Without either, binding is not available.
 */
export function publicOriginResolver(config: { publicUrl: string | undefined; host: string }, listenUrl: () => string | undefined): () => string {
  return () => {
    if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
    const own = listenUrl();
    if (own !== undefined && isLoopbackHost(config.host)) return own;
    throw new ApiError(503, 'oauth_not_configured', 'account binding is not available: this server has no public address configured');
  };
}

/** Browser pages of the OAuth flow answer only at the public origin's host. */
export function onlyAtPublicHost(publicOrigin: () => string): RequestHandler {
  return (req, _res, next) => {
    const expected = new URL(publicOrigin()).host.toLowerCase();
    if (req.host.toLowerCase() !== expected) throw new ApiError(400, 'validation_failed', `this page is served at ${expected} only`);
    next();
  };
}

/**
 * Where the browser may be sent after binding: the app's deep link, a loopback listener of a native app on
 * any port (RFC 8252 section 7.3), or a page of this server's own public origin. Anything else would let
 * a link send the person, with a handoff id, to a stranger's site.
 */
export function assertAllowedReturnTo(returnTo: string, publicOrigin: string): void {
  let url: URL;
  try {
    url = new URL(returnTo);
  } catch {
    throw new ApiError(400, 'validation_failed', 'returnTo: not a valid address');
  }
  const loopback = url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === '[::1]') && url.username === '' && url.password === '';
  const ownOrigin = url.origin === new URL(publicOrigin).origin;
  if (url.protocol === 'switchboard:' || loopback || ownOrigin) return;
  throw new ApiError(400, 'validation_failed', 'returnTo: only switchboard://, a loopback address (http://127.0.0.1:<port>) or this server\'s own pages');
}
