// @sealdrop/crypto's browser worker pool in real Chromium: a tiny page built with
// Vite (packages/crypto/test/browser) and served on the crypto port range.
// encryptPart over a Blob must give exactly encryptMessage's bytes, sha256Blob must
// match, Argon2id in a worker must match the known answer, workers must do the work,
// and recycled output memory must be reused and written over completely.
import { expect, test } from '@playwright/test';
import { buildAndServe } from '../packages/crypto/test/browser/serve.mjs';

let site: Awaited<ReturnType<typeof buildAndServe>>;

test.beforeAll(async () => {
  site = await buildAndServe();
});

test.afterAll(async () => {
  await site?.close();
});

test('crypto worker pool: parts equal the whole message, SHA-256 and Argon2id match, workers used', async ({ page }) => {
  test.setTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(site.url);
  await expect(page).toHaveTitle('ready');

  const result = await page.evaluate(async () => {
    const s = (window as any).sealdrop;
    const pool = s.createCryptoPool({ workers: 2, minSliceChunks: 8 });
    const out: Record<string, unknown> = {};
    const random = (n: number) => {
      const b = new Uint8Array(new ArrayBuffer(n));
      for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
      return b;
    };
    const hex = async (b: Uint8Array) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>))].map((x) => x.toString(16).padStart(2, '0')).join('');
    const key = random(32);
    const context = s.shareContext('AAECAwQFBgcICQoLDA0ODw');
    const cases = [];
    for (const size of [0, 1, 16384, 9 * 1024 * 1024 + 12345]) {
      const plain = random(size);
      const blob = new Blob([plain]);
      const salt = random(24);
      const whole: Uint8Array<ArrayBuffer> = await s.encryptMessage(key, plain, { context, salt });
      // Random part boundaries, including ones inside the header and inside chunks.
      const cuts = new Set([0, whole.length, Math.min(40, whole.length)]);
      for (let i = 0; i < 5; i++) cuts.add(Math.floor(Math.random() * (whole.length + 1)));
      const b = [...cuts].sort((x, y) => x - y);
      const parts = await Promise.all(b.slice(1).map((end, i) => pool.encryptPart(blob, key, context, salt, b[i], end)));
      const joined = s.concatBytes(...parts);
      const [sha, shaRef] = await Promise.all([pool.sha256Blob(blob), hex(plain)]);
      // And back through the streaming decryptor in a worker.
      const dec = await s.decryptInWorker(new Blob([whole]), key, context);
      cases.push({
        size,
        partsEqualWhole: joined.length === whole.length && (await hex(joined)) === (await hex(whole)),
        sha256Matches: sha === shaRef,
        decrypted: dec.ok && dec.bytes === size && dec.sha256 === shaRef,
      });
    }
    out.cases = cases;
    // Output memory handed back (recycle) is written over completely: parts made
    // into recycled buffers are still exactly the message's bytes.
    const big = random(12 * 1024 * 1024 + 777);
    const bigSalt = random(24);
    const bigWhole: Uint8Array = await s.encryptMessage(key, big, { context, salt: bigSalt });
    let recycledPartsEqual = true;
    for (let st = 0; st < bigWhole.length; st += 4 * 1024 * 1024) {
      const en = Math.min(bigWhole.length, st + 4 * 1024 * 1024);
      const part: Uint8Array = await pool.encryptPart(new Blob([big]), key, context, bigSalt, st, en);
      if ((await hex(part)) !== (await hex(bigWhole.subarray(st, en)))) recycledPartsEqual = false;
      pool.recycle(part);
    }
    out.recycledPartsEqual = recycledPartsEqual;
    // Progress is reported while hashing.
    const progress: number[] = [];
    await pool.sha256Blob(new Blob([random(20 * 1024 * 1024)]), (n: number) => progress.push(n));
    out.progressEnd = progress[progress.length - 1];
    // Argon2id v1 in a worker: known answer from sealdrop-v1-kat.json (case "password").
    const pk: Uint8Array = await pool.derivePasswordKey('correct horse battery staple', s.b64uDecode('yMnKy8zNzs_Q0dLT1NXW1w', 16));
    out.passwordKey = s.hexEncode(pk);
    // A damaged message fails in the worker, with its kind.
    const bad = await s.encryptMessage(key, random(50000), { context });
    bad[bad.length - 1] ^= 1;
    out.tampered = await s.decryptInWorker(new Blob([bad]), key, context);
    out.stats = pool.stats();
    pool.terminate();
    return out;
  });

  expect(result.cases).toEqual([0, 1, 16384, 9 * 1024 * 1024 + 12345].map((size) => ({ size, partsEqualWhole: true, sha256Matches: true, decrypted: true })));
  expect(result.progressEnd).toBe(20 * 1024 * 1024);
  expect(result.passwordKey).toBe('621d86e011501b52d590832be494a89c336689e92e4f3fde6eb908ef534810b9');
  expect(result.tampered).toMatchObject({ ok: false, kind: 'auth' });
  const stats = result.stats as { encryptWorkers: number; slicesPerWorker: number[]; reusedOutputs: number; hashJobs: number };
  expect(stats.encryptWorkers).toBe(2);
  // Both encryption workers took slices, and the hashing worker did the hashing.
  expect(stats.slicesPerWorker.every((n) => n > 0)).toBe(true);
  expect(stats.hashJobs).toBe(5);
  expect(result.recycledPartsEqual).toBe(true);
  expect(stats.reusedOutputs).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('recipient keys in Chromium: every case of the v1.1 recipient-wrap KAT, and a fresh seal opens', async ({ page }) => {
  test.setTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.url);
  await expect(page).toHaveTitle('ready');
  const result = await page.evaluate(async () => {
    const s = (window as any).sealdrop;
    const kat = s.recipientKat;
    const results: { name: string; error: string | null }[] = await s.runRecipientKat();
    // And a round trip with keys made here: sealed to two, opened by each, not by a third.
    const [a, b, c] = [s.generateIdentity(), s.generateIdentity(), s.generateIdentity()];
    const S = s.b64uDecode(s.generateLinkSecret(), 32);
    const stanzas = await s.sealToRecipients(S, [a.recipient, b.recipient], 'AAECAwQFBgcICQoLDA0ODw');
    const opened = await Promise.all([a, b].map(async (who) => s.b64uEncode((await s.openStanzas(stanzas, [who], 'AAECAwQFBgcICQoLDA0ODw')).secret)));
    const stranger = await s.openStanzas(stanzas, [c], 'AAECAwQFBgcICQoLDA0ODw').then(() => 'opened', (e: Error) => e.name);
    return { expected: 3 * kat.cases.length + kat.negative.length + kat.malformed.length, results, roundTrip: opened.every((x: string) => x === s.b64uEncode(S)), stranger };
  });
  expect(result.results.length).toBe(result.expected);
  expect(result.results.filter((r) => r.error !== null)).toEqual([]);
  expect(result.roundTrip).toBe(true);
  expect(result.stranger).toBe('NotSealedToYouError');
  expect(errors).toEqual([]);
});

test('crypto worker pool: the tap gives the whole-file SHA-256 of parts made out of order, re-made or split oddly, and gives up on a gap', async ({ page }) => {
  test.setTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.url);
  await expect(page).toHaveTitle('ready');
  const result = await page.evaluate(async () => {
    const s = (window as any).sealdrop;
    const pool = s.createCryptoPool({ workers: 3 });
    const random = (n: number) => {
      const b = new Uint8Array(new ArrayBuffer(n));
      for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
      return b;
    };
    const hex = async (b: Uint8Array | Blob) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b instanceof Blob ? await b.arrayBuffer() : (b as Uint8Array<ArrayBuffer>)))].map((x) => x.toString(16).padStart(2, '0')).join('');
    const key = random(32);
    const context = s.shareContext('AAECAwQFBgcICQoLDA0ODw');
    const out: Record<string, unknown> = {};
    // File 0: 5 parts of 3 MiB (not chunk-aligned: 3 MiB is not a multiple of the 16 KiB + 16 chunk), made as a resume does:
    // a later part first, one part twice, the rest side by side.
    const plain = random(13 * 1024 * 1024 + 4321);
    const blob = new Blob([plain]);
    const salt = random(24);
    const whole: Uint8Array = await s.encryptMessage(key, plain, { context, salt });
    const P = 3 * 1024 * 1024;
    const ranges = Array.from({ length: Math.ceil(whole.length / P) }, (_, n) => [n * P, Math.min(whole.length, (n + 1) * P)]);
    const keys = await s.deriveMessageKeys(key, salt, context);
    // The worker's part digest (from the tags it sealed) is the library's, as the CLI makes it.
    const make = async (n: number) => {
      const r = await pool.makeTappedPart(0, blob, key, context, salt, ranges[n][0], ranges[n][1]);
      const ref = await s.encryptPartWithDigest(s.bytesSource(plain), keys, ranges[n][0], ranges[n][1]);
      return { ok: (await hex(r.bytes)) === (await hex(whole.subarray(ranges[n][0], ranges[n][1]))) && r.sha256 === ref.sha256, tapped: r.tapped };
    };
    const hashing = pool.tapSha256(0, plain.length);
    const made = [await make(3), await make(0), ...(await Promise.all([make(1), make(4), make(2), make(0)]))];
    pool.closeTap(0, plain.length, made.reduce((n, m) => n + m.tapped, 0));
    out.partsOk = made.every((m) => m.ok);
    out.untappedOk = (await pool.makePart(blob, key, context, salt, ranges[1][0], ranges[1][1])).sha256 === (await s.encryptPartWithDigest(s.bytesSource(plain), keys, ranges[1][0], ranges[1][1])).sha256;
    out.tapMatches = (await hashing) === (await hex(plain));
    // File 1: its middle part is never made in this run (a stored part on resume): the tap says it cannot tell.
    const plain1 = random(7 * 1024 * 1024);
    const blob1 = new Blob([plain1]);
    const whole1 = s.ciphertextSize(plain1.length);
    let tapped1 = 0;
    for (const [a, b] of [[0, P], [2 * P, whole1]]) tapped1 += (await pool.makeTappedPart(1, blob1, key, context, salt, a, b)).tapped;
    const gap = pool.tapSha256(1, plain1.length);
    pool.closeTap(1, plain1.length, tapped1);
    out.gap = await gap;
    // An empty file.
    out.empty = await pool.tapSha256(2, 0);
    out.emptyRef = await hex(new Uint8Array(0));
    pool.terminate();
    return out;
  });
  expect(result).toEqual({ partsOk: true, untappedOk: true, tapMatches: true, gap: null, empty: result.emptyRef, emptyRef: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  expect(errors).toEqual([]);
});
