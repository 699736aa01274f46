import fs from 'node:fs';
import path from 'node:path';

/**
 * The desktop renderer is served from a privileged custom scheme rather than file://: the built web
 * client refers to `/assets/...` from the root, file:// pages all share one opaque origin, and a
 * scheme of our own lets the sender check name exactly one origin. Electron main registers the scheme
 * and answers each request with what `resolveAppRequest` returns.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export type AppResource =
  | { ok: true; file: string; contentType: string; headers: Record<string, string> }
  | { ok: false; status: 400 | 404; message: string };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The web client's policy, plus the aggregator server for fetch and socket.io: the desktop page is
 * not same-origin with the server, so connect-src names it (and its ws:/wss: twin) explicitly.
 */
export function desktopCsp(serverUrl: string): string {
  const server = new URL(serverUrl);
  const socket = `${server.protocol === 'https:' ? 'wss:' : 'ws:'}//${server.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // blob: for pictures fetched with the session's credentials (chat, posts, albums, avatars) and local previews.
    "img-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self' ${server.origin} ${socket}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function inside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Maps `app://switchboard/<path>` to a file: `/plugins/<id>/icon` is that plugin's icon, anything
 * else a file of the built renderer, and a path without a file extension the app shell (index.html),
 * because the client routes itself. Nothing outside those folders is ever answered.
 */
export function resolveAppRequest(
  requestUrl: string,
  options: { rendererDir: string; pluginIcon(pluginId: string): string | undefined; serverUrl: string },
): AppResource {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, message: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { ok: false, status: 404, message: 'not an app URL' };
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400, message: 'bad percent-encoding' };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400, message: 'bad path' };
  const headers = {
    'content-security-policy': desktopCsp(options.serverUrl),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };

  const icon = /^\/plugins\/([a-z][a-z0-9-]{0,39})\/icon$/.exec(pathname);
  if (icon !== null && icon[1] !== undefined) {
    const file = options.pluginIcon(icon[1]);
    if (file === undefined || !fs.existsSync(file)) return { ok: false, status: 404, message: 'no such plugin icon' };
    return { ok: true, file, contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', headers };
  }

  const root = path.resolve(options.rendererDir);
  const wantsShell = path.extname(pathname) === '';
  const file = wantsShell ? path.join(root, 'index.html') : path.resolve(root, `.${pathname}`);
  if (!wantsShell && !inside(root, file)) return { ok: false, status: 404, message: 'outside the app' };
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return { ok: false, status: 404, message: 'not found' };
  return { ok: true, file, contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', headers };
}
