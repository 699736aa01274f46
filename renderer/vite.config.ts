import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// No node:path here: lint keeps Node out of renderer/, and the URL API is enough to find our folder.
const rendererRoot = decodeURIComponent(new URL('.', import.meta.url).pathname);
const devServer = 'http://127.0.0.1:8080';

export default defineConfig({
  root: rendererRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Icons become files rather than data: URLs, so the CSP can say img-src 'self'.
    assetsInlineLimit: 0,
    // The polyfill would be fine, but no code we did not write should run before ours.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
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
