#!/usr/bin/env node
// `npm start`: build the SPA, apply D1 migrations to local state, run `wrangler dev`
// on http://localhost:$PORT with local D1 and R2. PORT (8787) and PERSIST_DIR
// (.wrangler/state) let two instances run side by side.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import path from 'node:path';
import { offlineEnv } from './offline-env.mjs';
import { removePartialBlobs } from './partial-blobs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '8787';
const persist = path.resolve(root, process.env.PERSIST_DIR ?? '.wrangler/state');
const env = offlineEnv();
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Runs a step to its end; one that hangs (seen once: a migrations apply on a loaded
 * machine never returned) is killed after `timeoutMs` and tried again, `tries` in all. */
function run(cmd, args, { timeoutMs = 0, tries = 1 } = {}) {
  for (let k = 1; ; k++) {
    const r = spawnSync(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: timeoutMs || undefined, killSignal: 'SIGKILL' });
    if (r.status === 0) return;
    const hung = r.signal === 'SIGKILL' && timeoutMs > 0;
    if (hung && k < tries) {
      console.error(`\n${path.basename(cmd)} ${args.join(' ')} did not finish in ${timeoutMs / 1000} s; trying again`);
      continue;
    }
    console.error(`\n${path.basename(cmd)} ${args.join(' ')} failed (${hung ? `no answer in ${timeoutMs / 1000} s` : `exit ${r.status}`})`);
    process.exit(1);
  }
}

/** Local secrets live in .dev.vars (git-ignored), made once with random values. */
function ensureDevVars() {
  const file = path.join(root, '.dev.vars');
  if (!existsSync(file)) {
    const secret = () => randomBytes(32).toString('base64url');
    writeFileSync(file, `ADMIN_TOKEN=${secret()}\nSERVER_SECRET=${secret()}\n`, { mode: 0o600 });
  }
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** A port the OS says is free: each instance gets its own devtools inspector port,
 * so two `npm start`s (or test stacks) run side by side. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address();
      srv.close(() => resolve(p));
    });
  });
}

const vars = ensureDevVars();
const inspectorPort = process.env.INSPECTOR_PORT ?? String(await freePort());
if (!process.env.SKIP_BUILD) run(bin('vite'), ['build', 'apps/web', '--logLevel', 'warn']);
run(bin('wrangler'), ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { timeoutMs: 60_000, tries: 3 });

// Blob files of uploads cut mid-body (scripts/partial-blobs.mjs): all of them now, before
// workerd runs; then every minute those untouched for PARTIAL_BLOB_MAX_AGE_S (600 s).
removePartialBlobs(persist);
const partialAgeMs = Number(process.env.PARTIAL_BLOB_MAX_AGE_S ?? 600) * 1000;
setInterval(() => removePartialBlobs(persist, partialAgeMs), Math.min(60_000, Math.max(1000, partialAgeMs / 2))).unref();

const dev = spawn(
  bin('wrangler'),
  [
    'dev', '--local', '--ip', '127.0.0.1', '--port', port, '--persist-to', persist,
    '--test-scheduled', '--show-interactive-dev-session=false',
    '--inspector-port', inspectorPort,
    '--var', 'UPLOAD_POLICY:open', '--var', 'LOCAL:1',
    // Test stacks send hundreds of requests from 127.0.0.1; see apps/worker/README.md.
    ...(process.env.RELAX_RATE_LIMITS === '1' ? ['--var', 'RATE_LIMITS:off'] : []),
  ],
  { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
);

// Tell the user where things are once the worker answers.
const url = `http://localhost:${port}`;
const started = Date.now();
let announced = false;
const poll = setInterval(async () => {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/health`);
    if (r.status === 503 && !announced) {
      // The worker refuses an unsafe configuration and says which variable (a weak .dev.vars secret).
      announced = true;
      clearInterval(poll);
      console.error(`\nSealdrop refuses to serve: ${(await r.json()).error?.message ?? r.status}\n(.dev.vars: delete it to get new random secrets)\n`);
    }
    if (r.ok && !announced) {
      announced = true;
      clearInterval(poll);
      console.log(`\nSealdrop is running at ${url}`);
      console.log(`Admin dashboard: ${url}/admin  (development admin token: ${vars.ADMIN_TOKEN})`);
      console.log(`CLI: npx sealdrop send FILE --server ${url}`);
      // The key that signs log checkpoints: note it somewhere the server cannot rewrite.
      const key = await fetch(`http://127.0.0.1:${port}/api/log/key`).then((k) => k.json()).catch(() => null);
      if (key?.publicKey) console.log(`Log key: ${key.publicKey}  (sealdrop admin log verify --log-key ${key.publicKey})`);
      console.log('');
    }
  } catch {
    if (Date.now() - started > 120_000) clearInterval(poll);
  }
}, 500);

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => dev.kill(sig));
dev.on('exit', (code) => process.exit(code ?? 0));
