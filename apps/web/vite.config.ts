import { fileURLToPath } from 'node:url';
import { build, defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The download service worker (src/sw/dl-sw.ts) is built on its own, after the
 * app, as one classic script at dist/dl/sw.js: served from /dl/, its default
 * scope is /dl/ and it sees no page of the app. A service worker cannot load
 * code at run time, so nothing may be split out of it.
 */
function downloadServiceWorker(): Plugin {
  let outDir = here('./dist');
  return {
    name: 'sealdrop-download-sw',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      await build({
        configFile: false,
        root: here('.'),
        logLevel: 'warn',
        publicDir: false,
        build: {
          outDir: `${outDir}/dl`,
          emptyOutDir: false,
          target: 'es2022',
          sourcemap: false,
          copyPublicDir: false,
          lib: { entry: here('./src/sw/dl-sw.ts'), formats: ['iife'], name: 'sealdropDownloads', fileName: () => 'sw.js' },
        },
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), downloadServiceWorker()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  worker: { format: 'es' },
  server: { proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
});
