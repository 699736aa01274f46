/**
 * Registers the offline shell in a production build served over http(s). Not in the desktop app (its
 * files are local already) nor under `vite dev` (no build, and stale caches would confuse development).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator) || !/^https?:$/.test(window.location.protocol)) return;
  if (window.switchboardDesktop !== undefined) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => console.warn('offline shell not installed', error));
  });
}
