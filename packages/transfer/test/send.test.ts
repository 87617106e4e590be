// The send flow against the real local stack (wrangler dev, local D1 and R2):
// resume after a kill at each phase, a changed file, a lost create or finalize
// answer, concurrent transfers. Every share is received back and compared byte
// for byte.

import { b64uDecode, b64uEncode, bytesSource, ciphertextSize, deriveMessageKeys, deriveShareKeys, encryptRange, PART_DIGEST, parseLinkSecret, sealManifest, shareContext } from '@sealdrop/crypto';
import { ApiError, SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../apps/cli/test/helpers/stack.ts';
import { classify, downloadFile, openShare, prepareShareKeys, sendFiles, takeDownload, type SendJournal, type SendOptions, type SendResult, type TransferEvent } from '../src/index.ts';
import { faultyClient, memoryJournal, memoryPorts, memorySink, MIB, randomBytes, sha256, type Fault, type MemFile, type Seen } from './helpers/ports.ts';

let stack: Stack;
let client: SealdropClient;
beforeAll(async () => {
  stack = await startStack();
  client = new SealdropClient(stack.url);
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const FAST = { baseMs: 20, capMs: 200 };
const settings = { expiresIn: 3600, maxDownloads: 10 };

function options(files: MemFile[], extra: Partial<SendOptions<Uint8Array>> = {}) {
  const ports = memoryPorts(files);
  const journal = memoryJournal();
  const events: TransferEvent[] = [];
  const o: SendOptions<Uint8Array> = {
    client,
    files: ports.files,
    password: null,
    settings,
    parts: ports.parts,
    journal: journal.store,
    hasher: ports.hasher,
    retry: FAST,
    onEvent: (e) => events.push(e),
    ...extra,
  };
  return { o, journal, events, ports };
}

/** Takes one download and returns every file's plaintext, as a recipient would. */
async function receive(r: { id: string; secret: string }, password = ''): Promise<Uint8Array[]> {
  const share = await openShare(client, { id: r.id, secret: r.secret }, async () => password);
  const dl = await takeDownload(share);
  const out: Uint8Array[] = [];
  for (const [i, f] of dl.manifestParsed.files.entries()) {
    const mem = memorySink(f.size);
    await downloadFile(share, dl.grant, i, { size: f.size, sha256: f.sha256, sink: mem.sink, retry: FAST });
    out.push(mem.buf);
  }
  return out;
}

function expectSame(got: Uint8Array[], files: MemFile[]) {
  expect(got.map(sha256)).toEqual(files.map((f) => sha256(f.bytes)));
}

/** Runs a send and stops it (as a kill would) at the first event `when` matches. */
async function killedAt(o: SendOptions<Uint8Array>, when: (e: TransferEvent) => boolean): Promise<void> {
  const controller = new AbortController();
  const onEvent = o.onEvent;
  const run = sendFiles({
    ...o,
    signal: controller.signal,
    onEvent: (e) => {
      onEvent?.(e);
      if (when(e)) controller.abort();
    },
  });
  await expect(run).rejects.toMatchObject({ name: 'AbortError' });
}

const threeParts = (): MemFile[] => [
  { name: 'big.bin', bytes: randomBytes(34 * MIB) }, // 3 parts of 16 MiB
  { name: 'dir/small.txt', bytes: randomBytes(1000) },
];

describe('send', () => {
  it('sends, and the share received back is byte-exact', async () => {
    const files = threeParts();
    const { o, journal, events } = options(files, { password: 'correct horse' });
    const r = await sendFiles(o);
    expect(r.sentParts).toBe(4);
    expect(journal.saved).toBeNull(); // S is not kept after finalize
    expect(events.filter((e) => e.type === 'part-done')).toHaveLength(4);
    expectSame(await receive(r, 'correct horse'), files);
  });

  it('no part leaves before the journal holds the share and that part\u2019s digest, even with a slow journal (parts are made meanwhile)', async () => {
    const files = threeParts();
    const { o, journal, ports } = options(files);
    // The journal's writes take 150 ms each: the parts are made during the first, and each still waits for it.
    let firstWritten = 0;
    const slow = {
      save: async (j: SendJournal) => {
        await new Promise((r) => setTimeout(r, 150));
        firstWritten ||= Date.now();
        return journal.store.save(j);
      },
      remove: journal.store.remove,
    };
    const seen: string[] = [];
    const made: number[] = [];
    const r = await sendFiles({
      ...o,
      journal: slow,
      parts: { ...ports.parts, make: async (req, signal) => (made.push(Date.now()), ports.parts.make(req, signal)) },
      sendPart: async (u) => {
        const j = journal.saved;
        seen.push(j?.id === u.id && /^[0-9a-f]{64}$/.test(j.partDigests[u.file][u.part] ?? '') ? 'journalled' : 'not journalled');
        await client.putPart(u.id, u.ownerToken, u.file, u.part, u.body, u.signal);
      },
    });
    expect(seen).toEqual(['journalled', 'journalled', 'journalled', 'journalled']);
    expect(made.length).toBe(4);
    expect(made[0]).toBeLessThan(firstWritten); // the first part was made while the share's journal was being written
    expectSame(await receive(r), files);
  });

  it('resumes after a kill mid-parts without sending the stored part again', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    await killedAt(first.o, (e) => e.type === 'part-done');
    const j = first.journal.saved!;
    expect(j.partDigests[0][0]).toMatch(/^[0-9a-f]{64}$/);
    expect((await client.uploads(j.id, j.ownerToken)).files.find((f) => f.index === 0)?.parts).toEqual([0]);

    const again = options(files, { resume: j, settings: undefined });
    const r = await sendFiles(again.o);
    expect(r.id).toBe(j.id);
    expect(r.resumedParts).toBe(1);
    expect(r.sentParts).toBe(3);
    expect(again.events.find((e) => e.type === 'resumed')).toMatchObject({ partsOnServer: 1, totalParts: 4 });
    expect(again.events.some((e) => e.type === 'file-restarted')).toBe(false);
    expect(again.events.filter((e) => e.type === 'part-done' && e.resumed)).toEqual([{ type: 'part-done', file: 0, part: 0, bytes: 16 * MIB, resumed: true }]);
    expectSame(await receive(r), files);
  });

  it('publishSha256: the files\u2019 hashes go with finalize, also after a resume; without it the server holds none', async () => {
    const files: MemFile[] = [
      { name: 'a.txt', bytes: randomBytes(1000) },
      { name: 'b.txt', bytes: randomBytes(2000) },
    ];
    const first = options(files, { concurrency: 1, settings: { ...settings, rules: { publishSha256: true } } });
    await killedAt(first.o, (e) => e.type === 'part-done');
    const j = first.journal.saved!;
    expect(j.publishSha256).toBe(true);
    const r = await sendFiles(options(files, { resume: j, settings: undefined }).o);
    const plain = await sendFiles(options(files).o);
    const res = await fetch(`${stack.url}/api/admin/shares?limit=100`, { headers: { Authorization: `Bearer ${stack.adminToken}` } });
    const shares = ((await res.json()) as { shares: { id: string; sha256?: string[] }[] }).shares;
    expect(shares.find((x) => x.id === r.id)?.sha256).toEqual(files.map((f) => sha256(f.bytes)));
    expect(shares.find((x) => x.id === plain.id)).toBeDefined();
    expect(shares.find((x) => x.id === plain.id)?.sha256).toBeUndefined();
    expectSame(await receive(r), files);
  });

  it('a part whose digest was recorded but whose upload never arrived is re-checked and sent', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    // Killed right after the digest was recorded, before the part reached the server.
    const { client: dropping } = faultyClient(stack.url, (r) => (r.method === 'PUT' ? { action: 'status', status: 503 } : { action: 'pass' }));
    await killedAt({ ...first.o, client: dropping }, (e) => e.type === 'retry' && e.step === 'part');
    const j = first.journal.saved!;
    expect(j.partDigests[0][0]).not.toBeNull();
    const again = options(files, { resume: j, settings: undefined });
    const r = await sendFiles(again.o);
    expect(again.events.filter((e) => e.type === 'checked')).toHaveLength(1);
    expect(r.resumedParts).toBe(0);
    expect(r.sentParts).toBe(4);
    expectSame(await receive(r), files);
  });

  it('a file changed since the kill restarts with a fresh salt', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    await killedAt(first.o, (e) => e.type === 'part-done');
    const j = structuredClone(first.journal.saved!);
    const oldSalt = j.salts[0];
    files[0].bytes[5] ^= 0xff; // same size, same date: only the re-made digest can tell
    const again = options(files, { resume: j, settings: undefined });
    const r = await sendFiles(again.o);
    expect(again.events.filter((e) => e.type === 'file-restarted')).toEqual([{ type: 'file-restarted', file: 0, reason: 'changed' }]);
    expect(r.journal.salts[0]).not.toBe(oldSalt);
    expect(r.journal.salts[1]).toBe(j.salts[1]);
    expect(r.sentParts).toBe(4);
    expectSame(await receive(r), files);
  });

  /** `j` as the previous version wrote it: no digest mark, each recorded digest the SHA-256 of the whole part's ciphertext. */
  async function asPreviousVersion(j: SendJournal, files: MemFile[], mark: boolean): Promise<SendJournal> {
    const old = structuredClone(j);
    if (!mark) delete old.partDigest;
    const keys = await deriveShareKeys(parseLinkSecret(j.secret), null);
    for (const [i, digests] of old.partDigests.entries()) {
      const msg = await deriveMessageKeys(await keys.fileKey(i), b64uDecode(j.salts[i], 24), shareContext(j.id));
      for (const [n, d] of digests.entries()) {
        if (d == null) continue;
        const start = n * j.partBytes;
        const end = Math.min(start + j.partBytes, ciphertextSize(files[i].bytes.length));
        digests[n] = sha256(await encryptRange(bytesSource(files[i].bytes), msg, start, end));
      }
    }
    return old;
  }

  it('a journal of the previous version (whole-part SHA-256s) restarts its files with recorded digests, saying why, without reading them', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    await killedAt(first.o, (e) => e.type === 'part-done');
    const j = first.journal.saved!;
    expect(j.partDigest).toBe(PART_DIGEST);
    const old = await asPreviousVersion(j, files, false);
    expect(old.partDigests[0][0]).not.toBe(j.partDigests[0][0]);
    const again = options(files, { resume: old, settings: undefined });
    const r = await sendFiles(again.o);
    expect(again.events.filter((e) => e.type === 'file-restarted')).toEqual([{ type: 'file-restarted', file: 0, reason: 'old-journal' }]);
    expect(again.events.filter((e) => e.type === 'checked')).toHaveLength(0);
    expect(r.journal.salts[0]).not.toBe(j.salts[0]);
    expect(r.journal.salts[1]).toBe(j.salts[1]); // nothing of it was made: nothing to compare
    expect(r.journal.partDigest).toBe(PART_DIGEST);
    expect(r.sentParts).toBe(4);
    expectSame(await receive(r), files);
  });

  it('whole-part digests under the current mark never pass for a match: the file restarts as changed', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    await killedAt(first.o, (e) => e.type === 'part-done');
    const j = first.journal.saved!;
    const again = options(files, { resume: await asPreviousVersion(j, files, true), settings: undefined });
    const r = await sendFiles(again.o);
    expect(again.events.filter((e) => e.type === 'file-restarted')).toEqual([{ type: 'file-restarted', file: 0, reason: 'changed' }]);
    expect(r.resumedParts).toBe(0);
    expectSame(await receive(r), files);
  });

  it('a file whose date changed restarts without being re-read', async () => {
    const files = threeParts();
    const first = options(files, { concurrency: 1 });
    await killedAt(first.o, (e) => e.type === 'part-done');
    files[0].lastModified = 2;
    const again = options(files, { resume: first.journal.saved!, settings: undefined });
    const r = await sendFiles(again.o);
    expect(again.events.find((e) => e.type === 'file-restarted')).toMatchObject({ file: 0, reason: 'date' });
    expect(again.events.filter((e) => e.type === 'checked')).toHaveLength(0);
    expectSame(await receive(r), files);
  });

  it('a wrong password on resume is refused before anything is sent', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    const first = options(files, { password: 'one' });
    await killedAt(first.o, (e) => e.type === 'phase' && e.phase === 'uploading');
    const again = options(files, { resume: first.journal.saved!, settings: undefined, password: 'two' });
    await expect(sendFiles(again.o)).rejects.toMatchObject({ kind: 'forbidden', reason: 'wrong_password' });
    const ok = options(files, { resume: first.journal.saved!, settings: undefined, password: 'one' });
    expectSame(await receive(await sendFiles(ok.o), 'one'), files);
  });

  it('a kill before the create answer leaves nothing to resume; the next run makes a new share', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    const first = options(files);
    const controller = new AbortController();
    const { client: killing } = faultyClient(stack.url, (r) => {
      if (r.method !== 'POST' || r.path !== '/api/shares') return { action: 'pass' };
      controller.abort(); // the process dies while the request is out: its answer never arrives
      return { action: 'lose' };
    });
    await expect(sendFiles({ ...first.o, client: killing, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(first.journal.saved).toBeNull();
    const again = options(files);
    expectSame(await receive(await sendFiles(again.o)), files);
  });

  it('a create whose answer was lost is never sent again under the same keys', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    let creates = 0;
    const rule = (r: Seen): Fault => {
      if (r.method !== 'POST' || r.path !== '/api/shares') return { action: 'pass' };
      creates++;
      return creates === 1 ? { action: 'lose' } : creates === 2 ? { action: 'status', status: 500 } : creates === 3 ? { action: 'status', status: 429 } : { action: 'pass' };
    };
    const { client: faulty, seen } = faultyClient(stack.url, rule);
    const { o } = options(files, { client: faulty });
    const r = await sendFiles(o);
    const keys = seen.filter((s) => s.path === '/api/shares').map((s) => (s.body as { linkPub: string }).linkPub);
    expect(keys).toHaveLength(4);
    // lost answer → new keys; 500 → new keys; 429 (nothing was made) → the same keys again
    expect(new Set(keys.slice(0, 3)).size).toBe(3);
    expect(keys[3]).toBe(keys[2]);
    expectSame(await receive(r), files);
  });

  it('keys made ahead (prepareShareKeys) serve the first create only: the share opens with them; a lost answer draws new ones; a password share never uses them', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    const creates = (seen: Seen[]) => seen.filter((s) => s.method === 'POST' && s.path === '/api/shares').map((s) => (s.body as { linkPub: string; authPub: string }));
    const ahead = await prepareShareKeys();
    const pass = faultyClient(stack.url, () => ({ action: 'pass' }));
    const r = await sendFiles(options(files, { client: pass.client, prepared: Promise.resolve(ahead) }).o);
    expect(r.secret).toBe(ahead.secret);
    expect(creates(pass.seen)).toEqual([{ ...creates(pass.seen)[0], linkPub: b64uEncode(ahead.keys.linkPub), authPub: b64uEncode(ahead.keys.authPub) }]);
    expectSame(await receive(r), files);

    const again = await prepareShareKeys();
    let n = 0;
    const lost = faultyClient(stack.url, (q) => (q.method === 'POST' && q.path === '/api/shares' && ++n === 1 ? { action: 'lose' } : { action: 'pass' }));
    const r2 = await sendFiles(options(files, { client: lost.client, prepared: Promise.resolve(again) }).o);
    const pubs = creates(lost.seen).map((c) => c.linkPub);
    expect(pubs).toHaveLength(2);
    expect(pubs[0]).toBe(b64uEncode(again.keys.linkPub));
    expect(pubs[1]).not.toBe(pubs[0]);
    expect(r2.secret).not.toBe(again.secret);
    expectSame(await receive(r2), files);

    const unused = await prepareShareKeys();
    const pw = faultyClient(stack.url, () => ({ action: 'pass' }));
    const r3 = await sendFiles(options(files, { client: pw.client, password: 'correct horse', prepared: Promise.resolve(unused) }).o);
    expect(r3.secret).not.toBe(unused.secret);
    expect(creates(pw.seen)[0].linkPub).not.toBe(b64uEncode(unused.keys.linkPub));
    expectSame(await receive(r3, 'correct horse'), files);
  });

  it('a lost finalize answer resumes by sending the same sealed manifest (not a new one, which is 409)', async () => {
    const files = threeParts();
    const first = options(files);
    const { client: losing, seen } = faultyClient(stack.url, (r) => (r.path.endsWith('/finalize') ? { action: 'lose' } : { action: 'pass' }));
    // Every finalize answer is lost; other requests keep their retries (a loaded local
    // runtime sometimes answers a part 503, which must not end the send before finalize).
    await expect(sendFiles({ ...first.o, client: losing, retry: { ...FAST, attempts: 3 } })).rejects.toThrow(/answer was lost/);
    const j: SendJournal = first.journal.saved!;
    expect(j.manifest).toBeTruthy();
    expect((seen.find((s) => s.path.endsWith('/finalize'))!.body as { manifest: string }).manifest).toBe(j.manifest);

    // What the old web code did after a reload: seal the manifest again. The server refuses it for good.
    const keys = await deriveShareKeys(parseLinkSecret(j.secret));
    const other = b64uEncode(await sealManifest(keys, j.id, { v: 1, createdAt: new Date().toISOString(), files: files.map((f) => ({ name: f.name, size: f.bytes.length, type: '', sha256: sha256(f.bytes) })) }));
    await expect(client.finalize(j.id, j.ownerToken, other)).rejects.toMatchObject({ status: 409 });

    const again = options(files, { resume: j, settings: undefined });
    const r = await sendFiles(again.o);
    expect(r.sentParts).toBe(0);
    expect(again.ports.made).toHaveLength(0); // nothing re-made, nothing re-hashed
    expect(again.journal.saved).toBeNull();
    expectSame(await receive(r), files);
  });

  it('a share that is gone on the server is reported as gone on resume', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    const first = options(files);
    await killedAt(first.o, (e) => e.type === 'phase' && e.phase === 'uploading');
    const j = first.journal.saved!;
    await client.revoke(j.id, j.ownerToken);
    const err = await sendFiles(options(files, { resume: j, settings: undefined }).o).catch((e: unknown) => e);
    expect(classify(err)).toBe('gone');
  });

  it('several transfers run at once, each with its own state', async () => {
    const sets = [0, 1, 2, 3].map((k) => [{ name: `f${k}.bin`, bytes: randomBytes((k + 1) * 7 * MIB + k) }]);
    const runs = sets.map((files) => options(files));
    const results: SendResult[] = await Promise.all(runs.map((r) => sendFiles(r.o)));
    expect(new Set(results.map((r) => r.id)).size).toBe(4);
    for (const [k, r] of results.entries()) expectSame(await receive(r), sets[k]);
  });

  it('a part refused for good ends the send with its class', async () => {
    const files = [{ name: 'a.bin', bytes: randomBytes(1000) }];
    const { client: refusing } = faultyClient(stack.url, (r) => (r.method === 'PUT' ? { action: 'status', status: 413 } : { action: 'pass' }));
    const { o, events } = options(files, { client: refusing });
    await expect(sendFiles(o)).rejects.toBeInstanceOf(ApiError);
    expect(events.at(-1)).toMatchObject({ type: 'failure', kind: 'input' });
    expect(events.some((e) => e.type === 'retry')).toBe(false);
  });
});

