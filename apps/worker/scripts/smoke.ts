// End-to-end smoke test against a running server (`npm start`), written as a
// client would: @sealdrop/crypto for the protocol, @sealdrop/shared's client for
// HTTP. Creates a two-file share (one file of several parts), uploads, finalizes,
// downloads, decrypts and compares; checks Range, the owner view and revoke.
//   npx tsx apps/worker/scripts/smoke.ts http://127.0.0.1:8787
import {
  b64uDecode,
  b64uEncode,
  decryptMessage,
  deriveShareKeys,
  encryptMessage,
  generateLinkSecret,
  openManifest,
  parseLinkSecret,
  sealManifest,
  sha256Hex,
  shareContext,
  signAccess,
} from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared/client';
import { ApiError } from '@sealdrop/shared';
import { randomBytes } from 'node:crypto';

const base = process.argv[2] ?? 'http://127.0.0.1:8787';
const api = new SealdropClient(base);
const t0 = performance.now();
const step = (s: string) => console.log(`${((performance.now() - t0) / 1000).toFixed(2)}s  ${s}`);

const files = [
  { name: 'big.bin', data: new Uint8Array(randomBytes(40 * 1024 * 1024 + 12345)) },
  { name: 'notes/readme.txt', data: new TextEncoder().encode('hello from the smoke test\n') },
];
const cfg = await api.config();
step(`config: partBytes ${cfg.partBytes}, uploadPolicy ${cfg.uploadPolicy}`);

const secret = generateLinkSecret();
const keys = await deriveShareKeys(parseLinkSecret(secret), null);
const sizes = files.map((f) => 56 + f.data.length + 16 * (Math.floor(f.data.length / 16384) + 1));
const created = await api.createShare({
  expiresIn: 3600,
  maxDownloads: 1,
  linkPub: b64uEncode(keys.linkPub),
  authPub: b64uEncode(keys.authPub),
  password: null,
  files: sizes.map((size) => ({ size })),
});
const { id, ownerToken, partBytes } = created;
step(`created ${id}`);

const ciphertexts: Uint8Array[] = [];
for (const [i, f] of files.entries()) {
  const ct = await encryptMessage(await keys.fileKey(i), f.data, { context: shareContext(id) });
  if (ct.length !== sizes[i]) throw new Error('size formula mismatch');
  ciphertexts.push(ct);
  const parts = Math.max(1, Math.ceil(ct.length / partBytes));
  // out of order, last part first
  for (let n = parts - 1; n >= 0; n--) await api.putPart(id, ownerToken, i, n, ct.subarray(n * partBytes, Math.min((n + 1) * partBytes, ct.length)));
  step(`uploaded file ${i}: ${ct.length} bytes in ${parts} part(s)`);
}
const progress = await api.uploads(id, ownerToken);
step(`progress: ${JSON.stringify(progress.files.map((f) => f.parts))}`);

const manifest = await sealManifest(keys, id, {
  v: 1,
  createdAt: new Date().toISOString(),
  files: await Promise.all(files.map(async (f) => ({ name: f.name, size: f.data.length, type: 'application/octet-stream', sha256: await sha256Hex(f.data) }))),
});
const fin = await api.finalize(id, ownerToken, b64uEncode(manifest));
step(`finalized: expires ${fin.expiresAt}`);

const info = await api.shareInfo(id);
const m = await api.manifest(id, signAccess(keys, 'manifest', id, info.challenge));
step(`manifest view: ${m.downloadsLeft} download(s) left`);
const dl = await api.download(id, signAccess(keys, 'download', id, (await api.shareInfo(id)).challenge));
const opened = await openManifest(keys, id, b64uDecode(dl.manifest));
step(`download granted until ${dl.grantExpiresAt}; files ${opened.files.map((f) => f.name).join(', ')}`);
for (const [i, f] of opened.files.entries()) {
  const res = await api.file(id, i, dl.grant);
  const ct = new Uint8Array(await res.arrayBuffer());
  const plain = await decryptMessage(await keys.fileKey(i), ct, { context: shareContext(id) });
  if ((await sha256Hex(plain)) !== f.sha256) throw new Error(`file ${i}: hash mismatch`);
  step(`file ${i} (${f.name}): ${ct.length} bytes, SHA-256 matches`);
}
const ranged = await api.file(id, 0, dl.grant, { start: 100, end: 200 });
const rb = new Uint8Array(await ranged.arrayBuffer());
if (ranged.status !== 206 || rb.length !== 100 || Buffer.compare(Buffer.from(rb), Buffer.from(ciphertexts[0].subarray(100, 200))) !== 0) {
  throw new Error('Range failed');
}
step(`Range: 206 ${ranged.headers.get('content-range')}`);

try {
  await api.download(id, signAccess(keys, 'download', id, (await api.shareInfo(id)).challenge));
  throw new Error('a second download of a one-time link succeeded');
} catch (e) {
  if (!(e instanceof ApiError) || e.code !== 'exhausted') throw e;
  step('second download: 410 exhausted');
}
const owner = await api.ownerStatus(id, ownerToken);
step(`owner: ${owner.status}, ${owner.downloadsUsed}/${owner.maxDownloads}, log ${owner.log.map((r) => r.event).join(',')}`);
await api.revoke(id, ownerToken);
try {
  await api.file(id, 0, dl.grant);
  throw new Error('the grant survived a revoke');
} catch (e) {
  if (!(e instanceof ApiError) || e.code !== 'revoked') throw e;
  step('after revoke the grant is dead: 410 revoked');
}
console.log(`OK ${base}; link would be ${base}/s/${id}#<secret>`);
