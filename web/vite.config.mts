import { defineConfig } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const __dirname = path.dirname(fileURLToPath(import.meta.url));

// The admin console: built into dist/console and served by the Koa process at /admin.
// Everything is bundled (no CDN at run time); no inline scripts or styles (strict CSP).
export default defineConfig({
  root: path.resolve(__dirname),
  base: '/admin/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.resolve(__dirname, '../dist/console'),
    emptyOutDir: true,
    assetsInlineLimit: 0, // no data: URLs for scripts or styles
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
});
