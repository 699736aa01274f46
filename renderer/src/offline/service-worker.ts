/**
 * The app shell offline (M-offline): the built files are cached at install, so a reload with the server
 * down still starts the app, which then shows what IndexedDB holds and an offline banner. The API and
 * the socket are never cached: the data's offline copy is the app's own (local-db.ts).
 *
 * Versioned by the build: the file list below is written in by vite.config.ts, so every new build is a
 * new worker byte for byte; it installs, takes over at once and drops the caches of older builds.
 */

// A constant the bundler inlines: sw.js is a classic worker script and must stay free of imports.
import { apiPrefix } from '#common/contract/route.js';

/** `{"version":"…","files":["/assets/…"]}`, replaced at build time. */
const buildManifest = '__SWITCHBOARD_SHELL_MANIFEST__';

// The worker global, typed by hand: the renderer's typings describe a window, not a service worker.
interface LifecycleEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchRequestEvent extends LifecycleEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ServiceWorkerScope {
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: LifecycleEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchRequestEvent) => void): void;
}
const scope = self as unknown as ServiceWorkerScope;

function readManifest(): { version: string; files: string[] } {
  try {
    const parsed = JSON.parse(buildManifest) as { version?: unknown; files?: unknown };
    const files = Array.isArray(parsed.files) ? parsed.files.filter((file): file is string => typeof file === 'string') : [];
    return { version: typeof parsed.version === 'string' ? parsed.version : 'dev', files };
  } catch {
    // A development build without the manifest written in: cache nothing up front.
    return { version: 'dev', files: [] };
  }
}

const { version, files } = readManifest();
const cachePrefix = 'switchboard-shell-';
const cacheName = cachePrefix + version;
/** index.html is cached under the root: every page path of the app is answered with it. */
const shellKey = '/';
const neverCached = [`${apiPrefix}/`, apiPrefix, '/socket.io/', '/healthz', '/sw.js'];

scope.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll([shellKey, ...files]))
      .then(() => scope.skipWaiting()),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(cachePrefix) && name !== cacheName).map((name) => caches.delete(name))))
      .then(() => scope.clients.claim()),
  );
});

/** Pages: the network first (a new build shows at once), the cached shell when the server is down. */
async function page(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok && (response.headers.get('content-type') ?? '').includes('text/html')) {
      const cache = await caches.open(cacheName);
      await cache.put(shellKey, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(shellKey, { cacheName });
    if (cached !== undefined) return cached;
    throw error;
  }
}

/** Hashed build files never change: the cache first, the network for anything not cached yet. */
async function asset(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName });
  if (cached !== undefined) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(cacheName);
    await cache.put(request, response.clone());
  }
  return response;
}

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin || neverCached.some((prefix) => url.pathname === prefix || url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') return event.respondWith(page(request));
  if (url.pathname.startsWith('/assets/')) return event.respondWith(asset(request));
});
