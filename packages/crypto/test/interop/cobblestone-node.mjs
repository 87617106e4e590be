#!/usr/bin/env node
// Independent Cobblestone (c2sp.org/chunked-encryption) written from the spec
// text only, on node:crypto (OpenSSL), to check bin/cobblestone.mjs where Python's
// `cryptography` is not installed. Shares no code with packages/crypto/src.
// usage: cobblestone-node.mjs encrypt|decrypt KEYHEX CONTEXT   (stdin -> stdout)
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const [mode, keyHex, context] = process.argv.slice(2);
const key = Buffer.from(keyHex, 'hex');
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = Buffer.concat(chunks);

function derive(salt) {
  const name = { 16: 'AEAD_AES_128_GCM', 32: 'AEAD_AES_256_GCM' }[key.length];
  const info = Buffer.concat([Buffer.from(`c2sp.org/chunked-encryption@v1+${name}`), Buffer.from([0]), salt, Buffer.from(context, 'utf8')]);
  let okm = Buffer.alloc(0);
  let t = Buffer.alloc(0);
  for (let i = 1; okm.length < key.length + 44; i++) {
    t = createHmac('sha512', key).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    okm = Buffer.concat([okm, t]);
  }
  return { cipher: `aes-${key.length * 8}-gcm`, aesKey: okm.subarray(0, key.length), base: okm.subarray(key.length, key.length + 12), commitment: okm.subarray(key.length + 12, key.length + 44) };
}

function nonce(base, i) {
  const n = Buffer.from(base);
  let x = BigInt(i);
  for (let b = 11; x > 0n; b--, x >>= 8n) n[b] ^= Number(x & 0xffn);
  return n;
}

function fail(msg) {
  process.stderr.write(`cobblestone-node: ${msg}\n`);
  process.exit(1);
}

if (mode === 'encrypt') {
  const salt = randomBytes(24);
  const d = derive(salt);
  const out = [salt, d.commitment];
  for (let i = 0; ; i++) {
    const chunk = input.subarray(i * 16384, (i + 1) * 16384);
    const c = createCipheriv(d.cipher, d.aesKey, nonce(d.base, i));
    out.push(c.update(chunk), c.final(), c.getAuthTag());
    if (chunk.length < 16384) break;
  }
  process.stdout.write(Buffer.concat(out));
} else {
  if (input.length < 56) fail('truncated header');
  const d = derive(input.subarray(0, 24));
  if (!timingSafeEqual(d.commitment, input.subarray(24, 56))) fail('commitment mismatch');
  let body = input.subarray(56);
  const out = [];
  for (let i = 0; ; i++) {
    const last = body.length < 16400;
    const sealed = last ? body : body.subarray(0, 16400);
    if (sealed.length < 16) fail('truncated');
    const c = createDecipheriv(d.cipher, d.aesKey, nonce(d.base, i));
    c.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      out.push(c.update(sealed.subarray(0, sealed.length - 16)), c.final());
    } catch {
      fail(`chunk ${i} failed authentication`);
    }
    if (last) break;
    body = body.subarray(16400);
  }
  process.stdout.write(Buffer.concat(out));
}
