/**
 * Registers the offline shell in a production build served over http(s). Not in the desktop app (its
 * files are local already) nor under `vite dev` (no build, and stale caches would confuse development).
 */
export function registerServiceWorker(): void {
  // import.meta.hot exists only under the dev server (a build made while NODE_ENV=test is still a build).
  if (import.meta.hot !== undefined || !('serviceWorker' in navigator) || !/^https?:$/.test(window.location.protocol)) return;
  if (window.switchboardDesktop !== undefined) return;
  // After the page has loaded, so caching the shell never competes with the first paint.
  const register = () =>
    void navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => console.warn('offline shell not installed', error));
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
