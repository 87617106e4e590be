// `npm run deploy:check` passes on this repository's wrangler.toml and fails, naming
// the setting, on each unsafe one. Each case is a copy of wrangler.toml (paths made
// absolute) with one thing changed; the check builds it offline with wrangler.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'smol-toml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sealdrop-deploy-check-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function base() {
  const c = parse(readFileSync(path.join(root, 'wrangler.toml'), 'utf8'));
  c.main = path.join(root, c.main);
  c.assets.directory = path.join(root, c.assets.directory);
  for (const d of c.d1_databases) d.migrations_dir = path.join(root, d.migrations_dir);
  return c;
}

let n = 0;
function check(change, env = {}) {
  const c = base();
  change?.(c);
  const file = path.join(tmp, `case-${++n}.toml`);
  writeFileSync(file, stringify(c));
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/deploy-check.mjs'), '--config', file], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

function assertFails(r, name) {
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`deploy:check: FAIL ${name}\\b`), r.out);
}

describe('deploy:check', { concurrency: 2 }, () => {
  it("passes on this repository's configuration", () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/deploy-check.mjs')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /bundle: \d+ KiB, \d+ KiB gzipped/);
  });

  it('fails on LOCAL in [vars]', () => assertFails(check((c) => (c.vars.LOCAL = '1')), 'LOCAL'));
  it('fails on RATE_LIMITS=off', () => assertFails(check((c) => (c.vars.RATE_LIMITS = 'off')), 'RATE_LIMITS'));
  it('fails when UPLOAD_POLICY is not explicit', () => assertFails(check((c) => delete c.vars.UPLOAD_POLICY), 'UPLOAD_POLICY'));
  it('fails on an UPLOAD_POLICY typo', () => assertFails(check((c) => (c.vars.UPLOAD_POLICY = 'tokens')), 'UPLOAD_POLICY'));
  it('fails on a secret in [vars]', () => assertFails(check((c) => (c.vars.SERVER_SECRET = 'x'.repeat(40))), 'SERVER_SECRET'));
  it('fails on a missing rate-limit binding', () =>
    assertFails(check((c) => (c.ratelimits = c.ratelimits.filter((r) => r.name !== 'RL_REPORT'))), 'RL_REPORT'));
  it('fails on a rate-limit period Cloudflare does not accept', () =>
    assertFails(check((c) => (c.ratelimits[0].simple.period = 30)), 'RL_CREATE'));
  it('fails when the largest file needs more than 10,000 R2 parts', () =>
    assertFails(check((c) => Object.assign(c.vars, { PART_BYTES: String(5 * 1024 * 1024), MAX_FILE_BYTES: String(60 * 1024 ** 3) })), 'MAX_FILE_BYTES'));
  it('fails on a missing R2 binding', () => assertFails(check((c) => delete c.r2_buckets), 'BUCKET'));
  it('fails without the cron trigger', () => assertFails(check((c) => (c.triggers.crons = [])), 'triggers.crons'));

  it('checks an [env.NAME] on its own (vars are not inherited)', () => {
    const file = path.join(tmp, 'with-env.toml');
    const c = base();
    c.env = { production: { vars: { ...c.vars, LOCAL: '1' }, d1_databases: c.d1_databases, r2_buckets: c.r2_buckets, ratelimits: c.ratelimits } };
    writeFileSync(file, stringify(c));
    const run = (...extra) => spawnSync(process.execPath, [path.join(root, 'scripts/deploy-check.mjs'), '--config', file, ...extra], { encoding: 'utf8' });
    const top = run();
    assert.equal(top.status, 0, top.stdout + top.stderr);
    const prod = run('--env', 'production');
    assertFails({ code: prod.status, out: prod.stdout + prod.stderr }, 'LOCAL');
  });

  it('fails on migrations out of order', () => {
    const dir = path.join(tmp, 'migrations-gap');
    cpSync(path.join(root, 'apps/worker/migrations'), dir, { recursive: true });
    // One number past the next free one: a gap, whatever the newest migration is.
    const newest = Math.max(...readdirSync(dir).map((f) => Number.parseInt(f, 10)).filter(Number.isFinite));
    writeFileSync(path.join(dir, `${String(newest + 2).padStart(4, '0')}_later.sql`), 'SELECT 1;\n');
    assertFails(check((c) => (c.d1_databases[0].migrations_dir = dir)), 'migrations');
  });

  it('fails when a CLI artifact is among the static assets', () => {
    const dir = path.join(tmp, 'assets-with-cli');
    cpSync(path.join(root, 'apps/web/dist'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'sealdrop.mjs'), '#!/usr/bin/env node\n');
    assertFails(check((c) => (c.assets.directory = dir)), 'assets');
  });

  it('fails on a bundle over the size limit', () =>
    assertFails(check(undefined, { DEPLOY_CHECK_MAX_GZIP_BYTES: String(64 * 1024) }), 'bundle size'));
});
