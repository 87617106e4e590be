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
 * What most pages use, as one chunk: the UI kit, the API client, the app shell,
 * the crypto and retry code, @noble and the query client. Not the entry's own
 * (src/main.tsx and what it imports: route, prefetch, linkSecret, constants,
 * encoding), which must not wait for anything.
 */
const COMMON = new RegExp(
  [
    String.raw`apps[\\/]web[\\/]src[\\/](app[\\/](Link|router|api|idb)\.tsx?|app[\\/](App|boot)\.tsx|ui[\\/].*|keys[\\/]identityStore\.ts|receive[\\/]OpeningLink\.tsx)$`,
    String.raw`packages[\\/]shared[\\/]src[\\/](format|limits|errors|client)\.ts$`,
    String.raw`packages[\\/]crypto[\\/]src[\\/](cobblestone|ed25519|keys|manifest|sha256-wasm|sha256|partDigest|upload|recipient-keys|browser[\\/]pool)\.ts$`,
    String.raw`packages[\\/]transfer[\\/]src[\\/](errors|retry)\.ts$`,
    String.raw`node_modules[\\/](zustand|@noble|hash-wasm|@tanstack)[\\/]`,
    String.raw`rolldown[\\/]runtime\.js$`,
  ].join('|'),
);

/** A share link's page (the page most visits open) beyond COMMON: one chunk, one request. */
const RECEIVE = new RegExp(
  [
    String.raw`apps[\\/]web[\\/]src[\\/](receive[\\/](?!early\.ts$|fragment\.ts$|OpeningLink\.tsx$)[^\\/]+|keys[\\/](unseal\.ts|SealedPrompt\.tsx)|transfer[\\/]download(Pipeline)?\.ts)$`,
    String.raw`packages[\\/]transfer[\\/]src[\\/]receive\.ts$`,
    String.raw`packages[\\/]crypto[\\/]src[\\/](access|webcryptoEd25519)\.ts$`,
    String.raw`node_modules[\\/]client-zip[\\/]`,
  ].join('|'),
);

/** The chunks every page loads (the groups below): index.html asks for them itself. */
const EVERY_PAGE = new Set(['react', 'common', 'rolldown-runtime']);

/**
 * Without this the browser learns of react and common only when the entry has
 * run (~60-80 ms after the HTML on a share link's page, measured), and the
 * link's first plaintext byte waits for them. Every page needs both, so asking
 * for them with the entry costs no page anything.
 */
function preloadEveryPageChunks(): Plugin {
  return {
    name: 'sealdrop-preload-every-page-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk' && EVERY_PAGE.has(c.name));
        return chunks.map((c) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${c.fileName}` }, injectTo: 'head' as const }));
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), downloadServiceWorker(), preloadEveryPageChunks()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // Each page is its own chunk (src/app/pages.ts); without groups, the modules
    // they share come as a score of tiny chunks, each a request a share link's
    // page makes while its first API calls wait at the same server (and, over
    // HTTP/1.1, for one of the browser's 6 connections to it). A share link's
    // page loads: the entry, react, common, receive (and their CSS).
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
            { name: 'receive', test: RECEIVE, priority: 2, includeDependenciesRecursively: false },
            { name: 'common', test: COMMON, priority: 1, includeDependenciesRecursively: false },
          ],
        },
      },
    },
  },
  worker: { format: 'es' },
  server: { proxy: { '/api': `http://127.0.0.1:${process.env.PORT ?? 8787}` } },
});
