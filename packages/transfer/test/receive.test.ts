// The receive flow against the real local stack: Range resume inside the grant
// after a connection cut mid-body, tampered ciphertext (nothing after the bad
// chunk is released, the file fails), a damaged link, a wrong password, and a
// resume from a saved checkpoint (a receive journal).

import { CHUNK_BYTES, chunkOffset, createSha256, LinkError } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../apps/cli/test/helpers/stack.ts';
import { classify, DigestMismatchError, downloadFile, grantFileMismatches, openShare, readManifest, sendFiles, takeDownload, TransferError, unlockShare, type ReceiveCheckpoint } from '../src/index.ts';
import { faultyClient, memoryJournal, memoryPorts, memorySink, MIB, randomBytes, sha256, type Fault, type Seen } from './helpers/ports.ts';

let stack: Stack;
let client: SealdropClient;
const FAST = { baseMs: 20, capMs: 200 };
const bytes = randomBytes(3 * MIB + 12345);
let share: { id: string; secret: string };

beforeAll(async () => {
  stack = await startStack();
  client = new SealdropClient(stack.url);
  const ports = memoryPorts([{ name: 'r.bin', bytes }]);
  const r = await sendFiles({
    client,
    files: ports.files,
    password: 'pw',
    settings: { expiresIn: 3600, maxDownloads: 50 },
    parts: ports.parts,
    hasher: ports.hasher,
    journal: memoryJournal().store,
  });
  share = { id: r.id, secret: r.secret };
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const isFileGet = (r: Seen) => r.method === 'GET' && /\/files\/0$/.test(r.path);

async function download(rule: (r: Seen, n: number) => Fault, extra: { retry?: { baseMs: number; capMs: number; attempts: number } } = {}) {
  const faulty = faultyClient(stack.url, rule);
  const s = await openShare(faulty.client, share, async () => 'pw');
  const { manifest } = await readManifest(s);
  const dl = await takeDownload(s);
  const mem = memorySink(bytes.length);
  const checkpoints: ReceiveCheckpoint[] = [];
  const run = downloadFile(s, dl.grant, 0, { size: manifest.files[0].size, sha256: manifest.files[0].sha256, sink: mem.sink, retry: FAST, onCheckpoint: (c) => void checkpoints.push(c), ...extra });
  return { run, mem, seen: faulty.seen, checkpoints, s, dl, manifest };
}

describe('receive', () => {
  it('a connection cut mid-body resumes with Range from the last whole chunk, inside the same grant', async () => {
    let gets = 0;
    const cutAt = 1 * MIB + 777;
    const { run, mem, seen, checkpoints } = await download((r) => (isFileGet(r) && ++gets === 1 ? { action: 'cut', afterBytes: cutAt } : { action: 'pass' }));
    const got = await run;
    expect(got.retries).toBe(1);
    expect(sha256(mem.buf)).toBe(sha256(bytes));
    const ranges = seen.filter(isFileGet).map((r) => r.range);
    const whole = Math.floor((cutAt - chunkOffset(0)) / (CHUNK_BYTES + 16));
    expect(ranges).toEqual([null, `bytes=${chunkOffset(whole)}-`]);
    expect(checkpoints[0].bytes).toBe(whole * CHUNK_BYTES);
    expect(seen.filter((r) => r.path.endsWith('/download'))).toHaveLength(1); // one download spent
  });

  it('a body that ends cleanly but early (a proxy gave up) is resumed like a cut, not taken as damage', async () => {
    let gets = 0;
    const endAt = 1 * MIB + 777;
    const { run, mem, seen } = await download((r) => (isFileGet(r) && ++gets === 1 ? { action: 'end', afterBytes: endAt } : { action: 'pass' }));
    expect((await run).retries).toBe(1);
    expect(sha256(mem.buf)).toBe(sha256(bytes));
    // Every whole chunk that came in was kept (none dropped with the decryptor): the resume starts right there.
    const whole = Math.floor((endAt - chunkOffset(0)) / (CHUNK_BYTES + 16));
    expect(seen.filter(isFileGet).map((r) => r.range)).toEqual([null, `bytes=${chunkOffset(whole)}-`]);
  });

  it('tampered ciphertext releases no plaintext from the bad chunk on, and fails as integrity', async () => {
    const bad = 5;
    const { run, mem } = await download((r) => (isFileGet(r) ? { action: 'flip', offset: chunkOffset(bad) + 100 } : { action: 'pass' }));
    const err = await run.catch((e: unknown) => e);
    expect(classify(err)).toBe('integrity');
    expect(mem.received).toBe(bad * CHUNK_BYTES); // chunks 0..4 authenticated, nothing after
  });

  it('a changed header releases nothing at all', async () => {
    const { run, mem } = await download((r) => (isFileGet(r) ? { action: 'flip', offset: 3 } : { action: 'pass' }));
    expect(classify(await run.catch((e: unknown) => e))).toBe('integrity');
    expect(mem.received).toBe(0);
  });

  it('a download keeps failing without progress: it stops after the policy attempts', async () => {
    // (Few attempts: each whole-file request counts against the grant's byte budget.)
    const { run, seen } = await download((r) => (isFileGet(r) ? { action: 'cut', afterBytes: 10 } : { action: 'pass' }), { retry: { ...FAST, attempts: 3 } });
    expect(classify(await run.catch((e: unknown) => e))).toBe('transient');
    expect(seen.filter(isFileGet)).toHaveLength(3);
  });

  it('resumes from a saved checkpoint with the same grant (a receive journal)', async () => {
    let gets = 0;
    const first = await download((r) => (isFileGet(r) && ++gets === 1 ? { action: 'cut', afterBytes: 2 * MIB } : { action: 'pass' }));
    // The first attempt's checkpoint is what a journal would hold when the process died.
    await first.run;
    const c = first.checkpoints[0];
    const mem = memorySink(bytes.length);
    mem.buf.set(first.mem.buf.subarray(0, c.bytes));
    const faulty = faultyClient(stack.url, () => ({ action: 'pass' }));
    const s = await openShare(faulty.client, share, async () => 'pw');
    const got = await downloadFile(s, first.dl.grant, 0, {
      size: first.manifest.files[0].size,
      sha256: first.manifest.files[0].sha256,
      sink: mem.sink,
      from: { ...c, replay: async (h) => h.update(mem.buf.subarray(0, c.bytes)) },
    });
    expect(got.sha256).toBe(sha256(bytes));
    expect(faulty.seen.filter(isFileGet).map((r) => r.range)).toEqual([`bytes=${chunkOffset(c.bytes / CHUNK_BYTES)}-`]);
    expect(faulty.seen.some((r) => r.path.endsWith('/download'))).toBe(false); // no download spent
  });

  it('checkpoints come about every checkpointBytes while it runs, each with the SHA-256 of exactly its prefix', async () => {
    const faulty = faultyClient(stack.url, () => ({ action: 'pass' }));
    const s = await openShare(faulty.client, share, async () => 'pw');
    const { manifest, raw } = await readManifest(s);
    const dl = await takeDownload(s, { shown: raw });
    const mem = memorySink(bytes.length);
    const checkpoints: ReceiveCheckpoint[] = [];
    await downloadFile(s, dl.grant, 0, { ...manifest.files[0], sink: mem.sink, checkpointBytes: MIB, onCheckpoint: (c) => void checkpoints.push(c) });
    expect(checkpoints.map((c) => c.bytes)).toEqual([1, 2, 3].map((n) => n * MIB));
    for (const c of checkpoints) expect(c.sha256).toBe(sha256(bytes.subarray(0, c.bytes)));
  });

  it('resumes from a hash that has already seen the kept prefix, and a wrong prefix fails the file (nothing trusted blindly)', async () => {
    const s = await openShare(client, share, async () => 'pw');
    const { manifest, raw } = await readManifest(s);
    const dl = await takeDownload(s, { shown: raw });
    const first = memorySink(bytes.length);
    const checkpoints: ReceiveCheckpoint[] = [];
    await downloadFile(s, dl.grant, 0, { ...manifest.files[0], sink: first.sink, onCheckpoint: (c) => void checkpoints.push(c) });
    const c = checkpoints[1];
    for (const honest of [true, false]) {
      const mem = memorySink(bytes.length);
      const hash = await createSha256();
      const prefix = bytes.slice(0, c.bytes);
      if (!honest) prefix[7] ^= 1; // the kept file changed on disk and the app did not notice
      hash.update(prefix);
      mem.buf.set(prefix);
      const run = downloadFile(s, dl.grant, 0, { ...manifest.files[0], sink: mem.sink, from: { bytes: c.bytes, header: c.header, hash } });
      if (honest) expect((await run).sha256).toBe(sha256(bytes));
      else expect(await run.catch((e: unknown) => e)).toBeInstanceOf(DigestMismatchError);
    }
  });

  it('a held challenge (from the GET that opened the share) takes the download with no GET first; a spent one is replaced once', async () => {
    const faulty = faultyClient(stack.url, () => ({ action: 'pass' }));
    const s = await openShare(faulty.client, share, async () => 'pw');
    const { manifest, raw } = await readManifest(s);
    const since = faulty.seen.length;
    const dl = await takeDownload(s, { shown: raw, challenge: s.info.challenge });
    expect(faulty.seen.slice(since).map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['POST download']);
    const mem = memorySink(bytes.length);
    await downloadFile(s, dl.grant, 0, { ...manifest.files[0], sink: mem.sink });
    expect(sha256(mem.buf)).toBe(sha256(bytes));
    // The same challenge again: the server refuses it (401, nothing spent) and a fresh one takes the download.
    const again = faulty.seen.length;
    const dl2 = await takeDownload(s, { shown: raw, challenge: s.info.challenge });
    expect(dl2.grant).not.toBe(dl.grant);
    expect(faulty.seen.slice(again).map((r) => `${r.method} ${r.path.split('/').pop()}`)).toEqual(['POST download', `GET ${share.id}`, 'POST download']);
  });

  it('a grant with another manifest than the one shown is refused; the file list must match the manifest', async () => {
    const s = await openShare(client, share, async () => 'pw');
    const { manifest } = await readManifest(s);
    const err = await takeDownload(s, { shown: 'something else' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect([(err as TransferError).kind, (err as TransferError).reason]).toEqual(['integrity', 'manifest_changed']);
    const size = chunkOffset(0) + manifest.files[0].size + 16 * Math.ceil(manifest.files[0].size / CHUNK_BYTES);
    expect(grantFileMismatches([{ index: 0, size }], manifest)).toEqual([]);
    expect(grantFileMismatches([{ index: 0, size: size + 1 }], manifest)).toEqual([0]);
    expect(grantFileMismatches([], manifest)).toEqual([0]);
    expect(grantFileMismatches([{ index: 0, size }, { index: 1, size: 100 }], manifest)).toEqual([0]); // a list longer than the manifest: nothing of it is trusted
  });

  it('a share that requires a partner token: refused before any password is asked; unlockShare asks the server nothing', async () => {
    const { client: c, seen } = faultyClient(stack.url, () => ({ action: 'pass' }));
    const info0 = c.shareInfo.bind(c);
    c.shareInfo = async (id: string) => ({ ...(await info0(id)), requiresToken: true }); // as a share made with a required partner label answers
    let asked = false;
    const err = await openShare(c, share, async () => ((asked = true), 'pw')).catch((e: unknown) => e);
    expect([(err as TransferError).kind, (err as TransferError).reason]).toEqual(['unauthorized', 'partner_token_required']);
    expect(asked).toBe(false);
    const info = await client.shareInfo(share.id);
    const n = seen.length;
    const s = await unlockShare(c, share, info, async () => 'pw', { partnerToken: 't'.repeat(30) });
    expect(s.partnerToken).toBe('t'.repeat(30));
    expect(seen.length).toBe(n);
  });

  it('a missing or truncated key is an integrity failure before the server is asked', async () => {
    const { client: c, seen } = faultyClient(stack.url, () => ({ action: 'pass' }));
    for (const secret of [null, '', share.secret.slice(0, 30)]) {
      const err = await openShare(c, { id: share.id, secret }, async () => 'pw').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LinkError);
      expect(classify(err)).toBe('integrity');
    }
    expect(seen).toHaveLength(0);
  });

  it('a wrong password is forbidden', async () => {
    const s = await openShare(client, share, async () => 'not it');
    expect(classify(await readManifest(s).catch((e: unknown) => e))).toBe('forbidden');
  });
});
