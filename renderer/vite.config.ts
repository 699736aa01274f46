import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// No node:path here: lint keeps Node out of renderer/, and the URL API is enough to find our folder.
const rendererRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);
const devServer = 'http://127.0.0.1:8080';
const serviceWorkerEntry = 'sw';
const shellManifestPlaceholder = '__SWITCHBOARD_SHELL_MANIFEST__';

/** FNV-1a over the file names: they carry content hashes, so a new build gets a new version. */
function versionOf(files: readonly string[]): string {
  let hash = 0x811c9dc5;
  for (const char of files.join('\n')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/**
 * Writes the list of built files and the build's version into the service worker (sw.js at the root,
 * so its scope is the whole app), which caches them at install for the offline shell.
 */
function offlineShell(): Plugin {
  return {
    name: 'switchboard-offline-shell',
    apply: 'build',
    generateBundle(_options, bundle) {
      const worker = Object.values(bundle).find((output) => output.type === 'chunk' && output.fileName === 'sw.js');
      if (worker === undefined || worker.type !== 'chunk') return;
      const files = Object.keys(bundle)
        .filter((name) => name !== 'sw.js' && name !== 'index.html' && !name.endsWith('.map'))
        .map((name) => `/${name}`)
        .sort();
      const manifest = JSON.stringify({ version: versionOf(files), files });
      worker.code = worker.code.replace(shellManifestPlaceholder, manifest.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"'));
    },
  };
}

export default defineConfig({
  root: rendererRoot,
  base: '/',
  plugins: [react(), offlineShell()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Icons become files rather than data: URLs, so the CSP can say img-src 'self'.
    assetsInlineLimit: 0,
    // The polyfill would be fine, but no code we did not write should run before ours.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      input: { index: `${rendererRoot}index.html`, [serviceWorkerEntry]: `${rendererRoot}src/offline/service-worker.ts` },
      output: { entryFileNames: (chunk) => (chunk.name === serviceWorkerEntry ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  worker: { format: 'es' },
  server: {
    // The plugin manifests and icons live in ../plugins and the shared code in ../common.
    fs: { allow: ['..'] },
    proxy: {
      '/v1': devServer,
      '/healthz': devServer,
      '/socket.io': { target: devServer, ws: true },
    },
  },
});
