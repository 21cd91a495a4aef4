import { defineConfig } from 'vite';

// `vite build apps/console` (part of npm run build): the gateway serves the result at / from
// dist/apps/console. Every script is a file (no inline script), as the gateway's CSP demands.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../../dist/apps/console',
    emptyOutDir: true,
    // The gateway's CSP allows scripts from 'self' only; a module preload polyfill would be inlined.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
});
