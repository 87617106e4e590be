import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
function swBuild(outDir: string, write: boolean) {
  return build({
    configFile: false,
    root: here('.'),
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: `${outDir}/dl`,
      emptyOutDir: false,
      write,
      target: 'es2022',
      sourcemap: false,
      copyPublicDir: false,
      lib: { entry: here('./src/sw/dl-sw.ts'), formats: ['iife'], name: 'sealdropDownloads', fileName: () => 'sw.js' },
    },
  });
}

/**
 * The published list of asset hashes (`/asset-hashes.txt`, `sha256sum` format):
 * the build is reproducible, so anyone can build the same commit and compare what
 * the server delivers with what the source gives (`sealdrop verify-web`). Every
 * entry is served at `/<path>` exactly (wrangler.toml: html_handling = "none"), so
 * `_headers`, the asset server's configuration that is never served, is left out;
 * verify-web checks its effect, the response headers, instead.
 */
const NOT_SERVED = new Set(['asset-hashes.txt', '_headers', '_redirects', '.assetsignore']);

async function writeAssetHashes(outDir: string) {
  const files = (await readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !(e.parentPath === outDir && NOT_SERVED.has(e.name)))
    .map((e) => path.relative(outDir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  const lines = await Promise.all(
    files.map(async (f) => `${createHash('sha256').update(await readFile(path.join(outDir, f))).digest('hex')}  ${f}`),
  );
  await writeFile(path.join(outDir, 'asset-hashes.txt'), lines.join('\n') + '\n');
}

function downloadServiceWorker(): Plugin {
  let outDir = here('./dist');
  let command: 'build' | 'serve' = 'build';
  return {
    name: 'sealdrop-download-sw',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
      command = config.command;
    },
    async closeBundle() {
      if (command !== 'build') return;
      await swBuild(outDir, true);
      await writeAssetHashes(outDir);
    },
    // `vite` (dev): build the worker on request, so the dev loop streams downloads too.
    configureServer(server) {
      server.middlewares.use('/dl/sw.js', (_req, res, next) => {
        swBuild(outDir, false)
          .then((out) => {
            const result = (Array.isArray(out) ? out[0] : out) as { output: { code?: string }[] };
            res.setHeader('content-type', 'text/javascript; charset=utf-8');
            res.setHeader('cache-control', 'no-store');
            res.end(result.output[0].code);
          })
          .catch(next);
      });
    },
  };
}

/**
 * Small modules most pages use: one chunk for them all. Not the entry's own
 * (src/main.tsx and what it imports), which must not wait for anything.
 */
const COMMON = /[\\/](apps[\\/]web[\\/]src[\\/](app[\\/](Link|router|api|idb)\.tsx?|ui[\\/].*)|packages[\\/]shared[\\/]src[\\/](format|limits|errors|client)\.ts|node_modules[\\/]zustand[\\/].*)$/;

export default defineConfig({
  plugins: [react(), downloadServiceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // Each page is its own chunk (src/app/pages.ts); without groups, the modules
    // they share come as a score of tiny chunks, each a request a share link's
    // page makes while its first API call waits at the same server.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
            { name: 'common', test: COMMON, priority: 1, includeDependenciesRecursively: false },
          ],
        },
      },
    },
  },
  worker: { format: 'es' },
  server: { proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
});
