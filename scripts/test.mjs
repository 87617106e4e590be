#!/usr/bin/env node
// `npm test`: every suite, in order; fails if any fails. Each suite runs even when an
// earlier one failed, so one run shows every failure.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { offlineEnv } from './offline-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = offlineEnv();

const suites = [
  // The SPA build comes first: wrangler and the worker tests need apps/web/dist.
  ['build (SPA)', bin('vite'), ['build', 'apps/web', '--logLevel', 'warn']],
  ['typecheck', bin('tsc'), ['-b']],
  // The CLI's cached bundle (apps/cli/bin/sealdrop.mjs), built once here rather than by the first CLIs the suites start at once.
  ['CLI bundle', process.execPath, ['apps/cli/bin/sealdrop.mjs', '--version']],
  // npm run deploy:check on wrangler.toml, and that it fails on each unsafe setting.
  ['deploy check (wrangler dry run)', process.execPath, ['--test', 'scripts/test/']],
  ['unit (crypto, transfer, web, cli)', bin('vitest'), ['run', '--project', 'crypto', '--project', 'transfer', '--project', 'web', '--project', 'cli']],
  ['interop (independent client)', process.execPath, ['--test', 'interop/']],
  ['worker (workerd, local D1/R2)', bin('vitest'), ['run', '--config', 'apps/worker/vitest.config.ts']],
  ['end-to-end (Chromium)', bin('playwright'), ['test', ...process.argv.slice(2)]],
];

// A fresh state folder for the browser tests.
rmSync(path.join(root, '.wrangler/e2e-state'), { recursive: true, force: true });

const failed = [];
for (const [name, cmd, args] of suites) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) failed.push(name);
}
console.log(failed.length ? `\nFailed: ${failed.join(', ')}` : '\nAll suites passed.');
process.exit(failed.length ? 1 : 0);
