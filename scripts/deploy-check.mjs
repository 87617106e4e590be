#!/usr/bin/env node
// `npm run deploy:check [-- --config FILE] [--env NAME]`: is this configuration safe
// to `wrangler deploy`? Offline: builds the worker with `wrangler deploy --dry-run
// --outdir` and checks the production configuration. Prints every problem and exits
// 1 on any (docs/DEPLOY.md says why each one matters):
//   - no LOCAL var (it trusts requests without CF-Connecting-IP as 127.0.0.1, and the
//     worker answers 503 to every request for a public host while it is set)
//   - no RATE_LIMITS=off
//   - UPLOAD_POLICY set explicitly to "token" or "open"
//   - every binding the worker declares (apps/worker/src/env.ts) is configured, and the cron trigger
//   - D1 migrations numbered 0001, 0002, ... with no gap or duplicate
//   - the bundle under the Workers size limit (compressed; 3 MiB on the Free plan,
//     10 MiB on Paid: DEPLOY_CHECK_MAX_GZIP_BYTES)
//   - nothing of the CLI among the static assets (the server must not serve the CLI)
// Secrets (SERVER_SECRET, ADMIN_TOKEN) are not in the file; the worker itself
// refuses weak ones (503 naming the variable).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { offlineEnv } from './offline-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({ options: { config: { type: 'string' }, env: { type: 'string' } } });
const configPath = path.resolve(args.config ?? path.join(root, 'wrangler.toml'));
const configDir = path.dirname(configPath);
const MIB = 1024 * 1024;
const maxGzip = Number(process.env.DEPLOY_CHECK_MAX_GZIP_BYTES ?? 3 * MIB);

const problems = [];
const warnings = [];
const fail = (what, why) => problems.push(`${what}: ${why}`);

const top = parseToml(readFileSync(configPath, 'utf8'));
let cfg = top;
if (args.env) {
  const e = top.env?.[args.env];
  if (!e) {
    console.error(`deploy:check: ${path.basename(configPath)} has no [env.${args.env}]`);
    process.exit(1);
  }
  // wrangler: vars and bindings are not inherited by an environment; the rest is.
  cfg = { ...top, vars: undefined, d1_databases: undefined, r2_buckets: undefined, ratelimits: undefined, ...e };
}
const vars = cfg.vars ?? {};

// Variables.
if ('LOCAL' in vars) fail('LOCAL', `is set (${JSON.stringify(vars.LOCAL)}): only \`npm start\` may set it; remove it from [vars]`);
if (String(vars.RATE_LIMITS ?? '').trim().toLowerCase() === 'off') fail('RATE_LIMITS', 'is "off": the per-IP rate limiters would be lifted; remove it');
if (!('UPLOAD_POLICY' in vars)) fail('UPLOAD_POLICY', 'is not set: say "token" (the safe default) or "open" explicitly in [vars]');
else if (!['token', 'open'].includes(vars.UPLOAD_POLICY)) fail('UPLOAD_POLICY', `is ${JSON.stringify(vars.UPLOAD_POLICY)}: use "token" or "open"`);
else if (vars.UPLOAD_POLICY === 'open') warnings.push('UPLOAD_POLICY is "open": anyone may create shares (quotas and RL_CREATE still apply)');
for (const secret of ['SERVER_SECRET', 'ADMIN_TOKEN']) {
  if (secret in vars) fail(secret, `is in [vars], in the clear: remove it and use \`wrangler secret put ${secret}\``);
}

// R2 multipart: at most 10,000 parts, each 5 MiB to 5 GiB (all but the last the same
// size). The worker clamps PART_BYTES to 5-95 MiB (packages/shared/src/limits.ts; 95 MiB
// stays under the 100 MB request body limit of Cloudflare's Free and Pro plans), so
// the largest file must fit in 10,000 parts of that size.
const intVar = (name, def) => (/^[0-9]{1,16}$/.test(String(vars[name] ?? '').trim()) ? Number(vars[name]) : def);
const partBytes = Math.min(95 * MIB, Math.max(5 * MIB, intVar('PART_BYTES', 16 * MIB)));
const maxFileBytes = intVar('MAX_FILE_BYTES', 10 * 1024 * MIB);
if (Math.ceil(maxFileBytes / partBytes) > 10_000) {
  fail('MAX_FILE_BYTES', `${maxFileBytes} bytes in parts of ${partBytes} (PART_BYTES) is ${Math.ceil(maxFileBytes / partBytes)} parts; R2 takes at most 10,000`);
}

// Bindings: every one the worker's Env declares, by type.
const envTs = readFileSync(path.join(root, 'apps/worker/src/env.ts'), 'utf8');
const declared = [...envTs.matchAll(/^\s+([A-Z][A-Z0-9_]*)\??: ([A-Za-z0-9]+);/gm)].map((m) => [m[1], m[2]]);
const names = (list, key = 'binding') => new Set((list ?? []).map((b) => b[key]));
const configured = {
  D1Database: names(cfg.d1_databases),
  R2Bucket: names(cfg.r2_buckets),
  RateLimit: names(cfg.ratelimits, 'name'),
  KVNamespace: names(cfg.kv_namespaces),
  Queue: names(cfg.queues?.producers),
  Fetcher: new Set([cfg.assets?.binding, ...(cfg.services ?? []).map((s) => s.binding)].filter(Boolean)),
};
for (const [name, type] of declared) {
  if (type === 'string') continue;
  if (!configured[type]) warnings.push(`binding ${name} has type ${type}, which deploy:check does not know how to find`);
  else if (!configured[type].has(name)) fail(name, `the worker needs a ${type} binding named ${name}; none is configured`);
}
for (const rl of cfg.ratelimits ?? []) {
  if (!(rl.simple?.limit > 0)) fail(rl.name, 'a rate limit needs simple = { limit, period }');
  if (![10, 60].includes(rl.simple?.period)) fail(rl.name, `period is ${rl.simple?.period}: Cloudflare accepts 10 or 60 seconds`);
}
if (!(cfg.triggers?.crons ?? []).length) fail('triggers.crons', 'no cron trigger: nothing would sweep expired and revoked shares');
for (const db of cfg.d1_databases ?? []) {
  if (/^0{8}-/.test(db.database_id ?? '0')) warnings.push(`D1 ${db.binding}: database_id is the placeholder; put the id of \`wrangler d1 create\` there before deploying`);
}

if (!cfg.routes?.length && !cfg.route) warnings.push('no routes: add your custom domain (docs/DEPLOY.md, "A custom domain"); never serve from r2.dev');
if (cfg.workers_dev !== false) warnings.push('workers_dev is not false: the app would also be served on *.workers.dev');

// Migrations: 0001_x.sql, 0002_y.sql, ... in order, no gap, no duplicate number.
const db = (cfg.d1_databases ?? []).find((d) => d.binding === 'DB');
const migrationsDir = db && path.resolve(configDir, db.migrations_dir ?? 'migrations');
if (db && !existsSync(migrationsDir)) fail('migrations_dir', `${migrationsDir} does not exist`);
else if (db) {
  const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
  files.forEach((f, i) => {
    const m = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(f);
    if (!m) fail('migrations', `${f} is not named NNNN_name.sql`);
    else if (Number(m[1]) !== i + 1) fail('migrations', `${f} is number ${Number(m[1])} at position ${i + 1}: numbers must run 0001, 0002, ... with no gap or duplicate`);
  });
  if (!files.length) fail('migrations', `no .sql file in ${migrationsDir}`);
}

// Static assets: the SPA and nothing of the CLI.
const assetsDir = cfg.assets?.directory && path.resolve(configDir, cfg.assets.directory);
if (!assetsDir || !existsSync(assetsDir)) fail('assets.directory', `${assetsDir ?? '(unset)'} does not exist: run \`npm run build\` first`);
else {
  const all = readdirSync(assetsDir, { recursive: true }).map(String);
  for (const f of all) {
    if (/(^|\/)sealdrop[^/]*\.(mjs|tgz)$|(^|\/)SHA256SUMS|\.minisig$/.test(f)) fail('assets', `${f} looks like a CLI artifact: the server must not serve the CLI`);
  }
  if (!all.includes('asset-hashes.txt')) fail('assets', 'no asset-hashes.txt: build with `npm run build`');
}

// The bundle, built offline exactly as `wrangler deploy` would upload it.
const out = mkdtempSync(path.join(os.tmpdir(), 'sealdrop-deploy-check-'));
try {
  const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');
  const dry = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', out, '--config', configPath, ...(args.env ? ['--env', args.env] : [])], {
    cwd: configDir,
    env: offlineEnv(),
    encoding: 'utf8',
  });
  if (dry.status !== 0) fail('wrangler deploy --dry-run', `failed:\n${dry.stdout}${dry.stderr}`);
  else {
    const bundle = readdirSync(out).filter((f) => /\.(m?js|wasm)$/.test(f));
    let raw = 0;
    let gz = 0;
    for (const f of bundle) {
      const bytes = readFileSync(path.join(out, f));
      raw += statSync(path.join(out, f)).size;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    console.log(`bundle: ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped (limit ${(maxGzip / MIB).toFixed(1)} MiB gzipped)`);
    if (gz > maxGzip) fail('bundle size', `${gz} bytes gzipped is over the Workers limit of ${maxGzip} bytes`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

for (const w of warnings) console.log(`warning: ${w}`);
if (problems.length) {
  for (const p of problems) console.error(`deploy:check: FAIL ${p}`);
  process.exit(1);
}
console.log(`deploy:check: ${path.relative(root, configPath) || configPath}${args.env ? ` [env.${args.env}]` : ''} is safe to deploy (secrets are checked by the worker itself)`);
