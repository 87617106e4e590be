#!/usr/bin/env node
// Launcher. The CLI is TypeScript consumed as source (like every workspace
// package), but loading it through tsx's loader costs ~0.25 s and ~40 MB at
// every start (issue 11). So it runs precompiled: an esbuild bundle (the one
// `npm run build:cli` ships, as a classic script body) cached in
// node_modules/.cache/sealdrop-cli and rebuilt, once, whenever a file it was
// built from changed size or date. It is compiled through node:vm with a V8 code
// cache kept beside it (Node 20 has none for ES modules): parsing and compiling
// the 1.5 MB bundle cost ~45 ms of every start, reading the cache a few.
// Without esbuild, or with SEALDROP_CLI_FROM_SOURCE=1, it runs the source
// through tsx as before.
import { isAscii } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cache = path.join(root, 'node_modules/.cache/sealdrop-cli');
const stampFile = path.join(cache, 'stamp.json');
/** The kind of bundle this launcher runs: a stamp of another kind (an older launcher's ES module) is rebuilt. */
const KIND = 'cjs-vm-1';

/** The cached bundle when every input is as it was built from, else null. */
function freshBundle() {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (stamp.kind !== KIND) return null;
    for (const [file, [size, mtimeMs]] of Object.entries(stamp.inputs)) {
      const s = statSync(path.join(root, file));
      if (s.size !== size || s.mtimeMs !== mtimeMs) return null;
    }
    const bundle = path.join(cache, stamp.bundle);
    statSync(bundle);
    return bundle;
  } catch {
    return null;
  }
}

/**
 * Builds a new bundle under a name of its own, then points the stamp at it
 * (both by rename, so CLIs started at once never see half a file or a stamp
 * naming another build's bundle).
 */
async function buildBundle() {
  const { build } = await import('esbuild');
  const { launcherBundleOptions } = await import('./bundle.mjs');
  const version = JSON.parse(readFileSync(path.join(root, 'apps/cli/package.json'), 'utf8')).version;
  mkdirSync(cache, { recursive: true });
  const name = `sealdrop-${process.pid}-${Date.now()}.cjs`;
  const tmp = path.join(cache, `${name}.tmp`);
  const result = await build({ ...launcherBundleOptions(root, tmp, version), metafile: true, logLevel: 'silent' });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), 'apps/cli/package.json', 'apps/cli/bin/bundle.mjs', 'apps/cli/bin/sealdrop.mjs']) {
    const s = statSync(path.join(root, file));
    inputs[file] = [s.size, s.mtimeMs];
  }
  renameSync(tmp, path.join(cache, name));
  const stampTmp = `${stampFile}.${process.pid}.tmp`;
  writeFileSync(stampTmp, JSON.stringify({ kind: KIND, bundle: name, inputs }));
  renameSync(stampTmp, stampFile);
  // Older bundles with their code caches (and leftovers of a build that died): a
  // CLI still running one has it loaded already; one just built by a CLI started
  // at the same moment may not be loaded yet, so only those a minute old go.
  for (const f of readdirSync(cache)) {
    const file = path.join(cache, f);
    try {
      if (f.startsWith('sealdrop-') && f !== name && Date.now() - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
    } catch {
      // removed by another CLI meanwhile
    }
  }
  return path.join(cache, name);
}

/**
 * Runs the bundle as CommonJS would, compiled with the V8 code cache beside it
 * (`<bundle>.<command>.v8`). V8 checks the cache against the source and its own version
 * and flags, and compiles afresh when it does not fit; then, or when there is
 * none yet, a new one is written as the process exits, so it also holds the
 * functions this run compiled lazily.
 */
function runBundle(file) {
  // An ASCII bundle (launcherBundleOptions) decodes as latin1 without a UTF-8 pass.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.latin1Slice() : bytes.toString('utf8');
  // One cache per command: each holds what its own command compiles (send, receive, ...).
  const command = /^[a-z][a-z0-9-]{0,19}$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const cacheFile = `${file}.${command}.v8`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile); // whole or not at all, for CLIs starting meanwhile
      } catch {
        // a read-only checkout: the next start compiles again
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
}

let bundle = null;
if (!process.env.SEALDROP_CLI_FROM_SOURCE) {
  bundle = freshBundle();
  if (!bundle) bundle = await buildBundle().catch(() => null);
}
if (bundle) {
  runBundle(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
