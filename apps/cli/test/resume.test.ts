// Interrupted transfers against the real local stack: an upload killed halfway
// resumes without re-sending finished parts; a file changed in between restarts
// with a fresh salt, as does one whose journal an older version wrote; a dropped
// download resumes with Range from the last whole chunk; a failing part upload is
// retried; weakened password parameters from a hostile server are refused.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { b64uDecode, bytesSource, ciphertextSize, deriveMessageKeys, deriveShareKeys, encryptRange, parseLinkSecret, shareContext, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from './helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startProxy } from './helpers/proxy.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  work = await tempDir('resume');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

interface Journal {
  id: string;
  ownerToken: string;
  salts: string[];
  partDigests: (string | null)[][];
}

function readJournal(): Journal | null {
  const dir = w('state', 'sealdrop');
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.startsWith('send-') && f.endsWith('.json'));
  } catch {
    return null;
  }
  if (files.length !== 1) return null;
  try {
    return JSON.parse(readFileSync(path.join(dir, files[0]), 'utf8')) as Journal;
  } catch {
    return null; // being replaced
  }
}

/**
 * Starts `send` through a proxy that lets part 0 through and holds every later
 * part, kills the CLI (SIGKILL) once the server lists part 0, then opens the
 * proxy for the run that resumes. Deterministic on fast and slow machines alike.
 */
async function sendAndKill(args: string[]): Promise<{ journal: Journal; partsOnServer: number[]; server: string; close: () => Promise<void> }> {
  let hold = true;
  const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
    if (hold && req.method === 'PUT' && !/\/parts\/0$/.test(req.url!)) return { action: 'hang' };
    return { action: 'pass' };
  });
  const child = spawnCli(['send', ...args, '--server', proxy.url, '--json', '--parallel', '1'], { env: env() });
  const done = collect(child, 110_000);
  // Each poll gives up after 5 s and the loop asks again: one request the local
  // runtime never answered (seen once in CI on a loaded machine) held this loop
  // past the CLI's own timeout.
  const client = new SealdropClient(stack.url, { fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(5_000) }) });
  const deadline = Date.now() + 100_000;
  let killed = false;
  while (Date.now() < deadline && child.exitCode === null) {
    const j = readJournal();
    if (j) {
      const up = await client.uploads(j.id, j.ownerToken).catch(() => null);
      if ((up?.files[0]?.parts.length ?? 0) >= 1) {
        child.kill('SIGKILL');
        killed = true;
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  const r = await done;
  expect(killed, `the upload was never seen halfway; stderr: ${r.stderr}`).toBe(true);
  expect(r.signal).toBe('SIGKILL');
  hold = false;
  const journal = readJournal()!;
  expect(journal).not.toBeNull();
  const up = await client.uploads(journal.id, journal.ownerToken);
  return { journal, partsOnServer: up.files[0].parts, server: proxy.url, close: () => proxy.close() };
}

function putLines(id: string): number[] {
  const re = new RegExp(`PUT /api/shares/${id}/files/0/parts/(\\d+) 200`, 'g');
  return [...stack.output().matchAll(re)].map((m) => Number(m[1]));
}

describe('interrupted upload', () => {
  it('resumes without re-sending the parts the server already has', async () => {
    const hash = await writeRandomFile(w('big.bin'), 60 * MIB, 21);
    const { journal, partsOnServer, server, close } = await sendAndKill([w('big.bin'), '--downloads', '2']);
    const parts = Math.ceil((60 * MIB + 56 + 16 * (Math.floor((60 * MIB) / 16384) + 1)) / (16 * MIB));
    expect(parts).toBe(4);
    expect(partsOnServer).toEqual([0]);

    // The same command again (same server URL: the journal is keyed by it).
    const r = await runCli(['send', w('big.bin'), '--downloads', '2', '--server', server, '--json', '--parallel', '1'], { env: env() }).finally(close);
    expectOk(r);
    const out = { ...JSON.parse(r.stdout) };
    out.url = out.url.replace(server, stack.url);
    expect(out.id).toBe(journal.id);
    expect(out.resumedParts).toBe(partsOnServer.length);
    expect(r.stderr).toMatch(new RegExp(`Resumed: ${partsOnServer.length} parts? already on the server`));
    // Each part reached the server exactly once across both runs.
    const puts = putLines(journal.id).sort();
    expect(puts).toEqual([0, 1, 2, 3]);
    // The journal (it holds S) is gone after finalize.
    expect(readJournal()).toBeNull();

    const rec = await runCli(['receive', out.url, '-o', w('out1')], { env: env() });
    expectOk(rec);
    expect(await sha256File(w('out1', 'big.bin'))).toBe(hash);
  });

  it('restarts a file that changed in between, with a fresh salt', async () => {
    await writeRandomFile(w('changing.bin'), 40 * MIB, 33);
    const { journal, server, close } = await sendAndKill([w('changing.bin'), '--downloads', '2']);
    const oldSalt = journal.salts[0];
    expect(oldSalt).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Same size, different bytes in the first part (already on the server).
    const fh = await open(w('changing.bin'), 'r+');
    await fh.write(Buffer.alloc(4096, 0xab), 0, 4096, 1000);
    await fh.close();
    const newHash = await sha256File(w('changing.bin'));

    const r = await runCli(['send', w('changing.bin'), '--downloads', '2', '--server', server, '--json'], { env: env() }).finally(close);
    expectOk(r);
    expect(r.stderr).toMatch(/changing\.bin changed since the interrupted upload: uploading it again from the start with a fresh salt/);
    const out = JSON.parse(r.stdout);
    out.url = out.url.replace(server, stack.url);
    expect(out.id).toBe(journal.id);
    expect(out.resumedParts).toBe(0);
    expect(out.files[0].sha256).toBe(newHash);

    // The stored message starts with its salt: it must be a new one.
    const client = new SealdropClient(stack.url);
    const secret = out.url.split('#')[1];
    const keys = await deriveShareKeys(parseLinkSecret(secret), null);
    const info = await client.shareInfo(out.id);
    const dl = await client.download(out.id, signAccess(keys, 'download', out.id, info.challenge));
    const head = new Uint8Array(await (await client.file(out.id, 0, dl.grant, { start: 0, end: 24 })).arrayBuffer());
    expect(head).toHaveLength(24);
    expect(Buffer.from(head).equals(Buffer.from(b64uDecode(oldSalt, 24)))).toBe(false);

    const rec = await runCli(['receive', out.url, '-o', w('out2')], { env: env() });
    expectOk(rec);
    expect(await sha256File(w('out2', 'changing.bin'))).toBe(newHash);
  });

  it('a journal of the previous version (whole-part SHA-256s) restarts its file, saying why, and the share arrives whole', async () => {
    const hash = await writeRandomFile(w('older.bin'), 20 * MIB, 55);
    const { journal, server, close } = await sendAndKill([w('older.bin'), '--downloads', '2']);
    // Rewritten as the previous version kept it: no digest mark, SHA-256s of whole parts.
    const dir = w('state', 'sealdrop');
    const file = path.join(dir, readdirSync(dir).find((f) => f.startsWith('send-') && f.endsWith('.json'))!);
    const j = JSON.parse(readFileSync(file, 'utf8'));
    expect(j.partDigest).toBe('sealdrop/part-digest/v2');
    delete j.partDigest;
    const plain = new Uint8Array(await readFile(w('older.bin')));
    const keys = await deriveMessageKeys(await (await deriveShareKeys(parseLinkSecret(j.secret), null)).fileKey(0), b64uDecode(j.salts[0], 24), shareContext(j.id));
    const total = ciphertextSize(plain.length);
    j.partDigests[0] = await Promise.all(
      j.partDigests[0].map(async (d: string | null, n: number) =>
        d === null ? null : createHash('sha256').update(await encryptRange(bytesSource(plain), keys, n * j.partBytes, Math.min(total, (n + 1) * j.partBytes))).digest('hex'),
      ),
    );
    await writeFile(file, JSON.stringify(j));

    const r = await runCli(['send', w('older.bin'), '--downloads', '2', '--server', server, '--json'], { env: env() }).finally(close);
    expectOk(r);
    expect(r.stderr).toMatch(/older\.bin was journalled by an older version of sealdrop, whose part checks this one cannot repeat: uploading it again from the start with a fresh salt/);
    const out = JSON.parse(r.stdout);
    out.url = out.url.replace(server, stack.url);
    expect(out.id).toBe(journal.id);
    expect(out.resumedParts).toBe(0);
    const rec = await runCli(['receive', out.url, '-o', w('out3')], { env: env() });
    expectOk(rec);
    expect(await sha256File(w('out3', 'older.bin'))).toBe(hash);
  });
});

describe('network failures', () => {
  it('a dropped download resumes with Range from the last whole chunk, byte-exact', async () => {
    const hash = await writeRandomFile(w('flaky.bin'), 6 * MIB + 4321, 44);
    const sent = await runCli(['send', w('flaky.bin'), '--server', stack.url, '--json'], { env: env() });
    expectOk(sent);
    const s = JSON.parse(sent.stdout);
    let cut = 0;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!) && cut++ === 0) return { action: 'cut', afterBytes: 2 * MIB + 999 };
      return { action: 'pass' };
    });
    try {
      const link = s.url.replace(stack.url, proxy.url);
      const r = await runCli(['receive', link, '-o', w('flaky-out')], { env: env() });
      expectOk(r);
      expect(r.stderr).toMatch(/Connection lost \(.*\) at \d+ of \d+ bytes/);
      expect(await sha256File(w('flaky-out', 'flaky.bin'))).toBe(hash);
      const files = proxy.requests.filter((q) => /\/files\/0$/.test(q.url));
      expect(files.length).toBe(2);
      expect(files[0].range).toBeUndefined();
      const start = Number(/^bytes=(\d+)-$/.exec(files[1].range ?? '')?.[1]);
      expect(start).toBeGreaterThan(56);
      expect((start - 56) % 16400).toBe(0);
      expect(start).toBeLessThanOrEqual(2 * MIB + 999);
    } finally {
      await proxy.close();
    }
  });

  it('refuses password parameters a server weakened (downgraded Argon2id), before any download', async () => {
    await writeFile(w('kdf.txt'), 'guarded\n');
    await writeFile(w('kdf-pw'), 'a decent passphrase\n');
    const sent = await runCli(['send', w('kdf.txt'), '--server', stack.url, '--password-file', w('kdf-pw'), '--json'], { env: env() });
    expectOk(sent);
    const s = JSON.parse(sent.stdout);
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'GET' && req.url === `/api/shares/${s.id}`) return { action: 'json', edit: (b) => ({ ...b, password: { ...b.password, kdf: { ...b.password.kdf, m: 1024 } } }) };
      return { action: 'pass' };
    });
    try {
      const r = await runCli(['receive', s.url.replace(stack.url, proxy.url), '-o', w('kdf-out'), '--password-file', w('kdf-pw')], { env: env() });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/Unsupported password parameters/);
      expect(proxy.requests.some((q) => q.method === 'POST')).toBe(false);
      expect(existsSync(w('kdf-out', 'kdf.txt'))).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('retries a part upload the server failed (503) and still delivers the same bytes', async () => {
    const hash = await writeRandomFile(w('retry.bin'), 3 * MIB, 55);
    let failed = 0;
    const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) => {
      if (req.method === 'PUT' && failed < 2) {
        failed++;
        return { action: 'status', status: 503 };
      }
      return { action: 'pass' };
    });
    try {
      const r = await runCli(['send', w('retry.bin'), '--server', proxy.url, '--json'], { env: env() });
      expectOk(r);
      expect(r.stderr).toMatch(/retry 1/);
      expect(failed).toBe(2);
      const link = JSON.parse(r.stdout).url.replace(proxy.url, stack.url);
      expectOk(await runCli(['receive', link, '-o', w('retry-out')], { env: env() }));
      expect(await sha256File(w('retry-out', 'retry.bin'))).toBe(hash);
      expect(await readFile(w('retry-out', 'retry.bin'))).toHaveLength(3 * MIB);
    } finally {
      await proxy.close();
    }
  });
});
