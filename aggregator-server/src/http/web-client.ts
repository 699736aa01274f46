import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request, type Response } from 'express';
import { apiPrefix } from '#common/contract/route.js';
import { routes } from '#common/contract/routes.js';

/** The web client's service worker: a file of the client, served beside it, not an API route. */
export const serviceWorkerPath = '/sw.js';

/** Where `npm run build:web` writes the web client (M31). */
export const defaultWebClientDir = fileURLToPath(new URL('../../../renderer/dist', import.meta.url));

/**
 * The web client's Content Security Policy: everything from our own origin, no inline script or
 * style, no eval, no plugins, not framable. The client is built for this (no inline bootstrap, icons
 * as files, zod in jitless mode); connect-src 'self' also covers the same-origin WebSocket.
 */
export const webClientCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: for pictures fetched with the session's credentials (chat, posts, albums, avatars) and local previews.
  "img-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const apiPrefixes = [`${apiPrefix}/`, '/socket.io/', routes.health.path];

function isApiPath(pathname: string): boolean {
  return pathname === apiPrefix || apiPrefixes.some((prefix) => pathname.startsWith(prefix));
}

function setWebHeaders(res: Response): void {
  res.setHeader('content-security-policy', webClientCsp);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
}

const missingBuildPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title></head>
<body><h1>Switchboard</h1>
<p>The web client has not been built. Run <code>npm run build:web</code>, then reload this page.</p>
<p>The API is up: see <a href="/healthz">/healthz</a>.</p></body></html>
`;

/** A page navigation, as opposed to a script's fetch or an image request that should get a real 404. */
function wantsHtml(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.accepts(['html', 'json']) === 'html' || req.headers.accept === undefined);
}

/**
 * Serves the built web client at `/`: hashed assets cached for a year, and every other non-API page
 * path answered with index.html (the client routes itself), all under the strict CSP. Mounted after
 * the API routers, so it only ever sees paths they did not answer.
 */
export function webClientRouter(options: { distDir?: string } = {}): Router {
  const distDir = options.distDir ?? defaultWebClientDir;
  const indexFile = path.join(distDir, 'index.html');
  const router = Router();

  router.use((req, res, next) => {
    if (!isApiPath(req.path)) setWebHeaders(res);
    next();
  });
  // The offline shell's service worker: at the root so its scope is the whole app, and revalidated on
  // every check so a new build's worker (a new file list and version) is picked up at once.
  router.get(serviceWorkerPath, (_req, res, next) => {
    const workerFile = path.join(distDir, 'sw.js');
    if (!fs.existsSync(workerFile)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('service-worker-allowed', '/');
    res.type('text/javascript').sendFile(workerFile);
  });
  router.use('/assets', express.static(path.join(distDir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  router.use(express.static(distDir, { index: false, maxAge: 0 }));
  router.use((req, res, next) => {
    if (isApiPath(req.path) || req.path.startsWith('/assets/') || req.path === serviceWorkerPath || !wantsHtml(req)) return next();
    // Checked per request, so building the client while the server runs needs no restart.
    if (!fs.existsSync(indexFile)) {
      res.status(200).type('html').setHeader('cache-control', 'no-store').send(missingBuildPage);
      return;
    }
    // index.html names the hashed bundles of the current build: never cache it.
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
