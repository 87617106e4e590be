// Builds the page with Vite into a temporary folder and serves it on the first
// free port of 8800-8809 (the crypto engineer's range). Used by
// e2e/crypto-browser.spec.ts and scripts/bench.mjs.
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

export async function buildAndServe({ ports = [8800, 8809] } = {}) {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'sealdrop-crypto-page-'));
  await build({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)), build: { outDir } });
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    try {
      const body = await readFile(join(outDir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  let port;
  for (let p = ports[0]; p <= ports[1] && !port; p++) {
    port = await new Promise((resolve) => {
      server.once('error', () => resolve(undefined));
      server.listen(p, '127.0.0.1', () => resolve(p));
    });
  }
  if (!port) throw new Error(`no free port in ${ports[0]}-${ports[1]}`);
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await new Promise((r) => server.close(r));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
