// README's "From a pipeline", run as a CI job would: from a folder outside this
// checkout, with only Node, bash, jq and the built artifact (npm run build:cli),
// against the real local stack. The signing key must be gone on every exit path.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, run, type CliResult } from './helpers/cli.ts';
import { tempDir, writeRandomFile } from './helpers/files.ts';
import { ROOT, startStack, type Stack } from './helpers/stack.ts';

const SCRIPT = path.join(ROOT, 'docs/ci/publish-with-sealdrop.sh');
let stack: Stack;
let tmp: { dir: string; cleanup: () => Promise<void> };
let artifacts: string;
let version: string;
let bundleSha: string;
let signingKey: string;

/** A CI runner's environment: no checkout on PATH, no npm packages, its own temp folder. */
function runnerEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: path.join(tmp.dir, 'home'),
    XDG_STATE_HOME: path.join(tmp.dir, 'state'),
    ...extra,
  };
}

/** A fresh "repository" (not this one) with the example script and a build output. */
async function repo(name: string): Promise<{ dir: string; runnerTemp: string; sha: string }> {
  const dir = path.join(tmp.dir, name);
  mkdirSync(path.join(dir, 'ci'), { recursive: true });
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  copyFileSync(SCRIPT, path.join(dir, 'ci/publish-with-sealdrop.sh'));
  const sha = await writeRandomFile(path.join(dir, 'dist/app.tar.gz'), 300_000, name.length);
  const runnerTemp = path.join(tmp.dir, `${name}-runner-tmp`);
  mkdirSync(runnerTemp, { recursive: true });
  return { dir, runnerTemp, sha };
}

function publish(r: { dir: string; runnerTemp: string }, env: Record<string, string>) {
  return spawn('bash', ['ci/publish-with-sealdrop.sh', 'dist/app.tar.gz'], {
    cwd: r.dir,
    env: runnerEnv({
      TMPDIR: r.runnerTemp,
      SEALDROP_SERVER: stack.url,
      SIGNING_KEY: signingKey,
      SEALDROP_CLI: path.join(artifacts, 'sealdrop.mjs'),
      SEALDROP_CLI_SHA256: bundleSha,
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: a CI cancel signals the whole job
  });
}

/** Every file under `dir` (the runner's temp folder must end up empty). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  tmp = await tempDir('pipeline');
  artifacts = path.join(tmp.dir, 'artifacts');
  // The release key of the CLI itself (the build signs with SEALDROP_RELEASE_KEY).
  const keys = path.join(tmp.dir, 'keys');
  mkdirSync(keys);
  const kg = await run(process.execPath, [path.join(ROOT, 'apps/cli/bin/sealdrop.mjs'), 'keygen', '-W', '-p', `${keys}/cli.pub`, '-s', `${keys}/cli.key`]);
  expect(kg.code, kg.stderr).toBe(0);
  const build = await run(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], {
    env: { CLI_OUT_DIR: artifacts, SEALDROP_RELEASE_KEY: readFileSync(`${keys}/cli.key`, 'utf8') },
    timeoutMs: 300_000,
  });
  expect(build.code, build.stderr).toBe(0);
  version = JSON.parse(readFileSync(path.join(ROOT, 'apps/cli/package.json'), 'utf8')).version;
  bundleSha = /^([0-9a-f]{64})  sealdrop\.mjs$/m.exec(readFileSync(path.join(artifacts, 'SHA256SUMS'), 'utf8'))![1];
  // The pipeline's signing key (made once on a trusted machine, stored as a CI secret).
  const k2 = await run(process.execPath, [path.join(artifacts, 'sealdrop.mjs'), 'keygen', '-W', '-p', `${keys}/release.pub`, '-s', `${keys}/release.key`], {
    cwd: tmp.dir,
  });
  expect(k2.code, k2.stderr).toBe(0);
  signingKey = readFileSync(`${keys}/release.key`, 'utf8').trim();
  stack = await startStack();
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await tmp?.cleanup();
});

describe('the CLI artifact', () => {
  it('runs from a folder outside the checkout with no install, names version and protocol, and is signed', async () => {
    const v = await run(process.execPath, [path.join(artifacts, 'sealdrop.mjs'), '--version'], { cwd: tmp.dir, env: runnerEnv({}) });
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`sealdrop ${version} (protocol sealdrop/v1)`);
    const sums = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: artifacts });
    expect(sums.code, sums.stdout + sums.stderr).toBe(0);
    expect(sums.stdout).toContain(`sealdrop-cli-${version}.tgz: OK`);
    for (const f of ['sealdrop.mjs', `sealdrop-cli-${version}.tgz`, 'SHA256SUMS']) {
      const ok = await run(process.execPath, [path.join(artifacts, 'sealdrop.mjs'), 'verify', path.join(artifacts, f), '-p', path.join(tmp.dir, 'keys/cli.pub')]);
      expect(ok.code, `${f}: ${ok.stderr}`).toBe(0);
    }
  });

  it('is not served by the worker', async () => {
    for (const p of ['/sealdrop.mjs', `/sealdrop-cli-${version}.tgz`, '/cli/sealdrop.mjs', '/SHA256SUMS']) {
      const body = await (await fetch(stack.url + p)).text();
      expect(body, p).not.toContain('sealdrop command-line client');
      expect(body.startsWith('#!'), p).toBe(false);
    }
  });
});

describe("README's pipeline example", () => {
  it('is the script README shows', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(SCRIPT, 'utf8').trim());
  });

  it('publishes a signed artifact that the tarball-installed CLI receives and verifies, and leaves no key behind', async () => {
    const r = await repo('release-repo');
    const res = await collect(publish(r, {}));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(`${r.sha}  app.tar.gz`);
    expect(filesUnder(r.runnerTemp)).toEqual([]);
    const link = readFileSync(path.join(r.dir, 'sealdrop-link.txt'), 'utf8');
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/s\/[A-Za-z0-9_-]+#/);

    // The recipient installs the CLI from the tarball (no registry) and receives.
    const prefix = path.join(tmp.dir, 'prefix');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', `./sealdrop-cli-${version}.tgz`], {
      cwd: artifacts,
      env: { npm_config_cache: path.join(tmp.dir, 'npm-cache') },
      timeoutMs: 200_000,
    });
    expect(install.code, install.stderr).toBe(0);
    const bin = path.join(prefix, 'bin/sealdrop');
    const out = path.join(tmp.dir, 'received');
    const recv = await run(bin, ['receive', '-', '-o', out, '--pubkey', path.join(tmp.dir, 'keys/release.pub')], {
      cwd: tmp.dir,
      input: link,
      env: runnerEnv({}),
    });
    expect(recv.code, recv.stderr).toBe(0);
    expect(createHash('sha256').update(readFileSync(path.join(out, 'app.tar.gz'))).digest('hex')).toBe(r.sha);
    if (existsSync('/usr/bin/minisign')) {
      const m = await run('minisign', ['-Vm', path.join(out, 'app.tar.gz'), '-p', path.join(tmp.dir, 'keys/release.pub')]);
      expect(m.code, m.stderr).toBe(0);
    }
  });

  it('refuses a CLI that does not match the pinned hash, before the key is written', async () => {
    const r = await repo('tampered-cli');
    const evil = path.join(tmp.dir, 'evil-sealdrop.mjs');
    writeFileSync(evil, readFileSync(path.join(artifacts, 'sealdrop.mjs'), 'utf8') + '\n// changed\n');
    const res = await collect(publish(r, { SEALDROP_CLI: evil }));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/FAILED|did NOT match/);
    expect(existsSync(path.join(r.dir, 'sealdrop-link.txt'))).toBe(false);
    expect(filesUnder(r.runnerTemp)).toEqual([]);
  });

  it('removes the key when the send fails', async () => {
    const r = await repo('send-fails');
    const res: CliResult = await collect(publish(r, { SEALDROP_SERVER: 'http://127.0.0.1:9', SEALDROP_RETRY_BASE_MS: '1' }));
    expect(res.code).not.toBe(0);
    expect(filesUnder(r.runnerTemp)).toEqual([]);
  });

  it('removes the key when the job is cancelled mid-send (SIGTERM to the process group)', async () => {
    // A server that accepts connections and never answers: the send hangs with the key on disk.
    const sockets: net.Socket[] = [];
    const hang = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const port = (hang.address() as net.AddressInfo).port;
    try {
      const r = await repo('cancelled');
      const child = publish(r, { SEALDROP_SERVER: `http://127.0.0.1:${port}` });
      const done = collect(child);
      const deadline = Date.now() + 60_000;
      while (!filesUnder(r.runnerTemp).some((f) => f.endsWith('release.key'))) {
        if (Date.now() > deadline) throw new Error('the key never appeared');
        await new Promise((res) => setTimeout(res, 50));
      }
      while (sockets.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      process.kill(-child.pid!, 'SIGTERM');
      const res = await done;
      expect(res.code === 143 || res.signal === 'SIGTERM', `exit ${res.code} ${res.signal}`).toBe(true);
      expect(filesUnder(r.runnerTemp)).toEqual([]);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});
