// A receive that dies keeps its download: the CLI is killed (SIGKILL) or cut off
// mid-file against the real stack, and the same command resumes from the bytes
// it verified with the grant it took, on a one-download share, byte-exact, with
// no second /download and no hidden file left behind. Also: the CLI fails closed
// when /download serves another manifest than /manifest, or when a FILE.minisig
// would collide with a file of the share.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { b64uDecode, b64uEncode, deriveShareKeys, openManifest, parseLinkSecret, sealManifest, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from './helpers/cli.ts';
import { listTree, sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startProxy, type Proxy } from './helpers/proxy.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  work = await tempDir('recv-journal');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

async function send(file: string, extra: string[] = []) {
  const r = await runCli(['send', file, '--server', stack.url, '--json', ...extra], { env: env() });
  expectOk(r);
  return JSON.parse(r.stdout) as { url: string; id: string; ownerToken: string };
}

interface Kept {
  file: string;
  grantExpiresAt: string;
  entries: { temp: string; bytes: number; done: boolean }[];
}

function receiveJournals(): Kept[] {
  const dir = w('state', 'sealdrop');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((f) => f.startsWith('receive-') && f.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Kept[] = [];
  for (const n of names) {
    try {
      out.push({ file: path.join(dir, n), ...JSON.parse(readFileSync(path.join(dir, n), 'utf8')) });
    } catch {
      // being replaced
    }
  }
  return out;
}

const downloads = (p: Proxy) => p.requests.filter((q) => q.method === 'POST' && q.url.endsWith('/download')).length;
const fileGets = (p: Proxy) => p.requests.filter((q) => q.method === 'GET' && /\/files\/\d+$/.test(q.url));

/** Starts `receive` through `proxy` and kills it (SIGKILL) once its journal holds `atLeast` verified bytes. */
async function receiveAndKill(link: string, out: string, atLeast: number): Promise<Kept> {
  const child = spawnCli(['receive', link, '-o', out], { env: env() });
  const done = collect(child, 110_000);
  const deadline = Date.now() + 100_000;
  let kept: Kept | undefined;
  while (Date.now() < deadline && child.exitCode === null) {
    kept = receiveJournals().find((j) => (j.entries[0]?.bytes ?? 0) >= atLeast);
    if (kept) break;
    await new Promise((r) => setTimeout(r, 40));
  }
  if (kept) child.kill('SIGKILL');
  const r = await done;
  expect(kept, `the receive never got ${atLeast} bytes in; stderr: ${r.stderr}`).toBeDefined();
  expect(r.signal).toBe('SIGKILL');
  return receiveJournals()[0];
}

describe('receive journal', () => {
  it('a receive killed mid-file resumes with the grant it took: one download, byte-exact, nothing left behind', async () => {
    const hash = await writeRandomFile(w('big.bin'), 12 * MIB + 777, 7);
    const s = await send(w('big.bin')); // one download (the default)
    let first = true;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!) && first) {
        first = false;
        return { action: 'stall', afterBytes: 5 * MIB };
      }
      return { action: 'pass' };
    });
    try {
      const link = s.url.replace(stack.url, proxy.url);
      const kept = await receiveAndKill(link, w('out1'), 3 * MIB);
      // The journal is private; the verified bytes wait in the hidden part file.
      expect(statSync(kept.file).mode & 0o777).toBe(0o600);
      expect(Date.parse(kept.grantExpiresAt)).toBeGreaterThan(Date.now());
      expect(readdirSync(w('out1'))).toEqual([path.basename(kept.entries[0].temp)]);
      expect(path.basename(kept.entries[0].temp)).toMatch(/^\.big\.bin\.[0-9a-f]{12}\.sealdrop-part$/);

      const r = await runCli(['receive', link, '-o', w('out1')], { env: env() });
      expectOk(r);
      expect(r.stderr).toMatch(/Resuming the interrupted download: no new download is used \(the grant lasts until .* UTC \(in 5 h 5\d min\)\)/);
      expect(r.stderr).toMatch(/big\.bin: resuming after \d/);
      expect(await sha256File(w('out1', 'big.bin'))).toBe(hash);
      expect(downloads(proxy)).toBe(1);
      const gets = fileGets(proxy);
      expect(gets).toHaveLength(2);
      expect(Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1])).toBeGreaterThanOrEqual(3 * MIB);
      expect(await listTree(w('out1'))).toEqual(['big.bin']);
      expect(receiveJournals()).toEqual([]);
      // The share had one download and it was used once.
      const st = await new SealdropClient(stack.url).ownerStatus(s.id, s.ownerToken);
      expect(st.downloadsUsed).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('a kept part file that changed is started over with the same grant; stray part files are removed', async () => {
    const hash = await writeRandomFile(w('f.bin'), 4 * MIB, 8);
    const s = await send(w('f.bin'));
    let first = true;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!) && first) {
        first = false;
        return { action: 'stall', afterBytes: 2 * MIB };
      }
      return { action: 'pass' };
    });
    try {
      const link = s.url.replace(stack.url, proxy.url);
      const kept = await receiveAndKill(link, w('out2'), 1 * MIB);
      const fh = await open(kept.entries[0].temp, 'r+');
      await fh.write(Buffer.from([0x5a]), 0, 1, 100);
      await fh.close();
      await writeFile(w('out2', '.f.bin.0123456789ab.sealdrop-part'), 'left by an older run');

      const r = await runCli(['receive', link, '-o', w('out2')], { env: env() });
      expectOk(r);
      expect(await sha256File(w('out2', 'f.bin'))).toBe(hash);
      expect(downloads(proxy)).toBe(1);
      expect(fileGets(proxy)[1].range).toBeUndefined(); // started over: the kept bytes were not trusted
      expect(await listTree(w('out2'))).toEqual(['f.bin']);
    } finally {
      await proxy.close();
    }
  });

  it('a long outage ends with exit 2 and says until when it can resume; the re-run resumes without a download', async () => {
    const hash = await writeRandomFile(w('o.bin'), 6 * MIB, 9);
    const s = await send(w('o.bin'));
    let down = false;
    let gets = 0;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!)) {
        if (gets++ === 0) {
          down = true;
          return { action: 'cut', afterBytes: 3 * MIB };
        }
        if (down) return { action: 'status', status: 503 };
      }
      return { action: 'pass' };
    });
    try {
      const link = s.url.replace(stack.url, proxy.url);
      const r1 = await runCli(['receive', link, '-o', w('out3')], { env: env() });
      expect(r1.code, r1.stderr).toBe(2);
      expect(r1.stderr).toMatch(/What was verified is kept: run the same command again until .* UTC \(in 5 h 5\d min\) to resume without using another download/);
      down = false;
      const r2 = await runCli(['receive', link, '-o', w('out3')], { env: env() });
      expectOk(r2);
      expect(await sha256File(w('out3', 'o.bin'))).toBe(hash);
      expect(downloads(proxy)).toBe(1);
      expect(await listTree(w('out3'))).toEqual(['o.bin']);
      expect(receiveJournals()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a grant the server refuses (revoked share) is not resumed: exit 4 and nothing is left behind', async () => {
    await writeRandomFile(w('r.bin'), 3 * MIB, 10);
    const s = await send(w('r.bin'));
    let first = true;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!) && first) {
        first = false;
        return { action: 'stall', afterBytes: 2 * MIB };
      }
      return { action: 'pass' };
    });
    try {
      const link = s.url.replace(stack.url, proxy.url);
      await receiveAndKill(link, w('out4'), 1 * MIB);
      await new SealdropClient(stack.url).revoke(s.id, s.ownerToken);
      const r = await runCli(['receive', link, '-o', w('out4')], { env: env() });
      expect(r.code, r.stderr).toBe(4);
      expect(receiveJournals()).toEqual([]);
      expect(await listTree(w('out4')).catch(() => [])).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('fails closed', () => {
  it('refuses a /download that answers with another manifest than /manifest (one sealed with the right keys)', async () => {
    await writeFile(w('m.txt'), 'the real file\n');
    const s = await send(w('m.txt'), ['--downloads', '3']);
    const keys = await deriveShareKeys(parseLinkSecret(s.url.split('#')[1]), null);
    const client = new SealdropClient(stack.url);
    const info = await client.shareInfo(s.id);
    const real = await openManifest(keys, s.id, b64uDecode((await client.manifest(s.id, signAccess(keys, 'manifest', s.id, info.challenge))).manifest));
    const swapped = b64uEncode(await sealManifest(keys, s.id, { ...real, files: [{ ...real.files[0], name: 'other.txt' }] }));
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'POST' && req.url!.endsWith('/download')) return { action: 'json', edit: (b) => ({ ...b, manifest: swapped }) };
      return { action: 'pass' };
    });
    try {
      const r = await runCli(['receive', s.url.replace(stack.url, proxy.url), '-o', w('m-out')], { env: env() });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/different manifest/);
      expect(await listTree(w('m-out')).catch(() => [])).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a share where FILE.minisig would be another file of the share, before any download', async () => {
    expectOk(await runCli(['keygen', '-W', '-p', w('k.pub'), '-s', w('k.key')], { env: env() }));
    await writeFile(w('a.txt'), 'signed\n');
    await writeFile(w('a.txt.minisig'), 'a file that happens to have this name\n');
    const r0 = await runCli(['send', w('a.txt'), w('a.txt.minisig'), '--sign', w('k.key'), '--downloads', '2', '--server', stack.url, '--json'], { env: env() });
    expectOk(r0);
    const s = JSON.parse(r0.stdout) as { url: string; id: string; ownerToken: string };
    const r = await runCli(['receive', s.url, '-o', w('sig-out')], { env: env() });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/signature file would collide with a file of the share/);
    expect(await listTree(w('sig-out')).catch(() => [])).toEqual([]);
    const st = await new SealdropClient(stack.url).ownerStatus(s.id, s.ownerToken);
    expect(st.downloadsUsed).toBe(0);
    expect((await readFile(w('a.txt.minisig'), 'utf8')).startsWith('a file')).toBe(true);
  });
});
