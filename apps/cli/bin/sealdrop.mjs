#!/usr/bin/env node
// Launcher. The CLI is TypeScript consumed as source (like every workspace
// package), but loading it through tsx's loader costs ~0.25 s and ~40 MB at
// every start (issue 11). So it runs precompiled: an esbuild bundle (the one
// `npm run build:cli` ships) cached in node_modules/.cache/sealdrop-cli and
// rebuilt, once, whenever a file it was built from changed size or date.
// Without esbuild, or with SEALDROP_CLI_FROM_SOURCE=1, it runs the source
// through tsx as before.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cache = path.join(root, 'node_modules/.cache/sealdrop-cli');
const stampFile = path.join(cache, 'stamp.json');

/** The cached bundle when every input is as it was built from, else null. */
function freshBundle() {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
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
  const { cliBundleOptions } = await import('./bundle.mjs');
  const version = JSON.parse(readFileSync(path.join(root, 'apps/cli/package.json'), 'utf8')).version;
  mkdirSync(cache, { recursive: true });
  const name = `sealdrop-${process.pid}-${Date.now()}.mjs`;
  const tmp = path.join(cache, `${name}.tmp`);
  const result = await build({ ...cliBundleOptions(root, tmp, version), metafile: true, logLevel: 'silent' });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), 'apps/cli/package.json', 'apps/cli/bin/bundle.mjs']) {
    const s = statSync(path.join(root, file));
    inputs[file] = [s.size, s.mtimeMs];
  }
  renameSync(tmp, path.join(cache, name));
  const stampTmp = `${stampFile}.${process.pid}.tmp`;
  writeFileSync(stampTmp, JSON.stringify({ bundle: name, inputs }));
  renameSync(stampTmp, stampFile);
  // Older bundles (and leftovers of a build that died): a CLI still running one
  // has it loaded already; one just built by a CLI started at the same moment
  // may not be loaded yet, so only those a minute old go.
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

let bundle = null;
if (!process.env.SEALDROP_CLI_FROM_SOURCE) {
  bundle = freshBundle();
  if (!bundle) bundle = await buildBundle().catch(() => null);
}
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
