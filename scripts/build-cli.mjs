#!/usr/bin/env node
// `npm run build:cli`: the CLI as one self-contained artifact, for machines that
// have Node >= 20 and nothing else (no checkout, no npm install, no registry).
//
//   dist/cli/sealdrop.mjs              one bundled ESM file (the WebAssembly is built in)
//   dist/cli/sealdrop-cli-X.Y.Z.tgz    the same file as an npm package (npm pack)
//   dist/cli/SHA256SUMS                sha256sum format, for pinning
//   dist/cli/*.minisig                 minisign signatures, when SEALDROP_RELEASE_KEY
//                                      holds a secret key (the text of an unencrypted
//                                      key file: `sealdrop keygen -W`)
//
// The worker never serves these files: a CLI fetched from the server it is meant
// to check would defeat its purpose (scripts/deploy-check.mjs checks the assets).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cliBundleOptions } from '../apps/cli/bin/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(root, process.env.CLI_OUT_DIR ?? 'dist/cli');

function fail(msg) {
  console.error(`build:cli: ${msg}`);
  process.exit(1);
}

// One version: the package's, which src/version.ts must repeat (the CLI prints it).
const version = JSON.parse(readFileSync(path.join(root, 'apps/cli/package.json'), 'utf8')).version;
const inSource = /VERSION = '([^']+)'/.exec(readFileSync(path.join(root, 'apps/cli/src/version.ts'), 'utf8'))?.[1];
if (inSource !== version) fail(`apps/cli/package.json says ${version}, apps/cli/src/version.ts says ${inSource}`);

rmSync(out, { recursive: true, force: true });
const pkgDir = path.join(out, 'package');
mkdirSync(pkgDir, { recursive: true });
const bundle = path.join(out, 'sealdrop.mjs');

await build(cliBundleOptions(root, bundle, version));
chmodSync(bundle, 0o755);

// The npm package: the bundle, a package.json with no dependencies, a README.
writeFileSync(path.join(pkgDir, 'sealdrop.mjs'), readFileSync(bundle), { mode: 0o755 });
writeFileSync(
  path.join(pkgDir, 'package.json'),
  JSON.stringify(
    {
      name: '@sealdrop/cli',
      version,
      description: 'Sealdrop command-line client: end-to-end encrypted file sharing (self-contained bundle)',
      type: 'module',
      bin: { sealdrop: 'sealdrop.mjs' },
      files: ['sealdrop.mjs', 'README.md'],
      engines: { node: '>=20' },
      license: 'UNLICENSED',
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(
  path.join(pkgDir, 'README.md'),
  `# sealdrop ${version}\n\nThe Sealdrop CLI as one file (no dependencies; Node >= 20). Install from this tarball, never by name from a registry:\n\n    npm install -g ./sealdrop-cli-${version}.tgz\n\nor run the single file: \`node sealdrop.mjs --help\`. Check the tarball against the published SHA256SUMS first.\n`,
);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pack = spawnSync(npm, ['pack', '--silent', '--pack-destination', out], { cwd: pkgDir, encoding: 'utf8' });
if (pack.status !== 0) fail(`npm pack failed:\n${pack.stderr}`);
const tarball = path.join(out, pack.stdout.trim().split('\n').pop());
rmSync(pkgDir, { recursive: true, force: true });

// The bundle must run on its own: --version names the version and the protocol.
const v = spawnSync(process.execPath, [bundle, '--version'], { cwd: os.tmpdir(), encoding: 'utf8' });
if (v.status !== 0 || !v.stdout.includes(version)) fail(`the bundle does not run:\n${v.stdout}${v.stderr}`);

const artifacts = [bundle, tarball];
const sums = artifacts.map((f) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${path.basename(f)}`);
writeFileSync(path.join(out, 'SHA256SUMS'), sums.join('\n') + '\n');

// Signatures with the release key from the environment; the key touches the disk
// only in a private temporary folder, removed whatever happens.
const releaseKey = process.env.SEALDROP_RELEASE_KEY;
if (releaseKey) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sealdrop-release-'));
  try {
    const keyFile = path.join(tmp, 'release.key');
    writeFileSync(keyFile, releaseKey.endsWith('\n') ? releaseKey : `${releaseKey}\n`, { mode: 0o600 });
    const files = [...artifacts, path.join(out, 'SHA256SUMS')];
    const s = spawnSync(process.execPath, [bundle, 'sign', ...files, '-s', keyFile, '-t', `sealdrop-cli ${version}`], { encoding: 'utf8' });
    if (s.status !== 0) fail(`signing failed:\n${s.stderr}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

console.log(v.stdout.trim());
for (const line of sums) console.log(line);
console.log(releaseKey ? 'signed: *.minisig (SEALDROP_RELEASE_KEY)' : 'not signed: set SEALDROP_RELEASE_KEY to a minisign secret key to sign');
console.log(`in ${path.relative(root, out) || out}`);
