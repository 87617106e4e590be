// One Node benchmark run (spawned by scripts/bench.mjs so each size gets a fresh
// process and its own peak RSS): node node-bench.mjs <plain> <ciphertext out> <keyHex> <context>
// Prints one JSON line: encrypt, decrypt (WebCrypto and node:crypto) and encrypt+SHA-256 MB/s, peak RSS per phase.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { register } from 'tsx/esm/api';

register();
const { createEncryptStream, createDecryptStream, createSha256, hexDecode } = await import('../../packages/crypto/src/index.ts');
const { createNodeDecryptStream } = await import('../../packages/crypto/src/node/index.ts');

const [plainPath, ctPath, keyHex, context] = process.argv.slice(2);
const key = hexDecode(keyHex);
const READ = 1024 * 1024;

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
const timer = setInterval(sample, 20);

async function phase(fn) {
  globalThis.gc?.();
  peak = process.memoryUsage.rss();
  const t0 = performance.now();
  const bytes = await fn();
  const s = (performance.now() - t0) / 1000;
  sample();
  return { mbps: Math.round(bytes / 1e6 / s), seconds: +s.toFixed(2), peakRssMiB: Math.round(peak / 2 ** 20) };
}

const size = (await stat(plainPath)).size;
const src = (p) => Readable.toWeb(createReadStream(p, { highWaterMark: READ }));
const sink = () => new WritableStream({ write() {} });

const encrypt = await phase(async () => {
  await src(plainPath).pipeThrough(createEncryptStream(key, { context })).pipeTo(sink());
  return size;
});
// The ciphertext for the decrypt phases (here and in Chromium), outside the timing: writing 1 GiB to disk is not encryption.
await src(plainPath).pipeThrough(createEncryptStream(key, { context })).pipeTo(Writable.toWeb(createWriteStream(ctPath)));
const decrypt = await phase(async () => {
  await src(ctPath).pipeThrough(createDecryptStream(key, { context })).pipeTo(sink());
  return size;
});
// The CLI's decryptor (node:crypto), over the same ciphertext.
const decryptNode = await phase(async () => {
  await src(ctPath).pipeThrough(createNodeDecryptStream(key, { context })).pipeTo(sink());
  return size;
});
const encryptSha256 = await phase(async () => {
  const h = await createSha256();
  const hashing = new TransformStream({ transform(c, ctl) { h.update(c); ctl.enqueue(c); } });
  await src(plainPath).pipeThrough(hashing).pipeThrough(createEncryptStream(key, { context })).pipeTo(sink());
  h.digestHex();
  return size;
});
clearInterval(timer);
console.log(JSON.stringify({ size, encrypt, decrypt, decryptNode, encryptSha256 }));
