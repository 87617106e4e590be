// An independent Sealdrop v1 client, written from /work/shared/DESIGN.md and the
// C2SP chunked-encryption spec alone (no code from packages/, apps/ or e2e/).
// Plain Node >= 20 ESM: node:crypto for everything, hash-wasm only for Argon2id.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign as edSign,
  timingSafeEqual,
  verify as edVerify,
} from 'node:crypto';
import { argon2id } from 'hash-wasm';

const enc = new TextEncoder();
const utf8 = (s) => Buffer.from(enc.encode(s));

// ---------------------------------------------------------------------------
// Encoding helpers

/** base64url without padding. */
export const b64u = (bytes) => Buffer.from(bytes).toString('base64url');

/** Strict base64url decode: alphabet, no padding, canonical trailing bits. */
export function fromB64u(s, expectedLength) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) {
    throw new ProtocolError(`not base64url: ${JSON.stringify(String(s).slice(0, 60))}`);
  }
  const out = Buffer.from(s, 'base64url');
  if (out.toString('base64url') !== s) throw new ProtocolError('non-canonical base64url');
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new ProtocolError(`expected ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class HttpError extends Error {
  /** A server answer outside 2xx; `code` comes from the `{"error": {code, message}}` body. */
  constructor(method, url, status, body) {
    const code = body?.error?.code;
    super(`${method} ${url} → ${status} ${code ?? ''} ${body?.error?.message ?? ''}`.trim());
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.body = body;
    /** true when the body has the documented error shape. */
    this.wellFormed =
      !!body &&
      typeof body === 'object' &&
      typeof body.error === 'object' &&
      typeof body.error.code === 'string' &&
      typeof body.error.message === 'string';
  }
}

// ---------------------------------------------------------------------------
// HKDF (RFC 5869) by hand over HMAC: the schedule needs Extract and Expand separately.

export function hkdfExtract(hash, salt, ikm) {
  return createHmac(hash, salt).update(ikm).digest();
}

export function hkdfExpand(hash, prk, info, length) {
  const out = [];
  let t = Buffer.alloc(0);
  let total = 0;
  for (let i = 1; total < length; i++) {
    t = createHmac(hash, prk).update(t).update(info).update(Buffer.from([i])).digest();
    out.push(t);
    total += t.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

// ---------------------------------------------------------------------------
// Cobblestone (c2sp.org/chunked-encryption), generic over the AES-GCM key size.

const CHUNK = 16384;
const TAG = 16;
const SALT = 24;
const COMMIT = 32;
const HEADER = SALT + COMMIT;
const CT_CHUNK = CHUNK + TAG;

function makeCobblestone(aeadName, cipher, keyLen) {
  const label = utf8(`c2sp.org/chunked-encryption@v1+${aeadName}`);

  function derive(inputKey, salt, context) {
    if (inputKey.length !== keyLen) throw new ProtocolError(`input key must be ${keyLen} bytes`);
    const info = Buffer.concat([label, Buffer.from([0]), salt, context]);
    const okm = hkdfExpand('sha512', inputKey, info, keyLen + 12 + COMMIT);
    return {
      key: okm.subarray(0, keyLen),
      baseNonce: okm.subarray(keyLen, keyLen + 12),
      commitment: okm.subarray(keyLen + 12),
    };
  }

  function nonce(baseNonce, index) {
    const n = Buffer.from(baseNonce);
    // index is < 2^53; XOR it into the last 8 bytes, big-endian, right-aligned.
    let x = BigInt(index);
    for (let i = 11; i >= 4 && x > 0n; i--) {
      n[i] ^= Number(x & 0xffn);
      x >>= 8n;
    }
    return n;
  }

  const toBytes = (c) => (typeof c === 'string' ? utf8(c) : Buffer.from(c ?? []));

  /** Whole-buffer encryption; `salt` may be injected for known answers. */
  function encrypt(inputKey, plaintext, context, { salt = randomBytes(SALT) } = {}) {
    inputKey = Buffer.from(inputKey);
    plaintext = Buffer.from(plaintext);
    salt = Buffer.from(salt);
    if (salt.length !== SALT) throw new ProtocolError('salt must be 24 bytes');
    const { key, baseNonce, commitment } = derive(inputKey, salt, toBytes(context));
    const parts = [salt, commitment];
    const chunks = Math.floor(plaintext.length / CHUNK) + 1;
    for (let k = 0; k < chunks; k++) {
      const c = createCipheriv(cipher, key, nonce(baseNonce, k), { authTagLength: TAG });
      parts.push(c.update(plaintext.subarray(k * CHUNK, (k + 1) * CHUNK)), c.final(), c.getAuthTag());
    }
    return Buffer.concat(parts);
  }

  /** Whole-buffer decryption: commitment first, every chunk authenticated, nothing released on failure. */
  function decrypt(inputKey, ciphertext, context) {
    inputKey = Buffer.from(inputKey);
    ciphertext = Buffer.from(ciphertext);
    if (inputKey.length !== keyLen) throw new ProtocolError(`input key must be ${keyLen} bytes`);
    if (ciphertext.length < HEADER + TAG) throw new ProtocolError('ciphertext too short');
    const body = ciphertext.length - HEADER;
    const last = body % CT_CHUNK;
    if (last < TAG) throw new ProtocolError('ciphertext truncated or missing its short final chunk');
    const salt = ciphertext.subarray(0, SALT);
    const { key, baseNonce, commitment } = derive(inputKey, salt, toBytes(context));
    if (!timingSafeEqual(commitment, ciphertext.subarray(SALT, HEADER))) {
      throw new ProtocolError('commitment mismatch (wrong key or context)');
    }
    const chunks = Math.floor(body / CT_CHUNK) + 1;
    const out = [];
    for (let k = 0; k < chunks; k++) {
      const start = HEADER + k * CT_CHUNK;
      const end = Math.min(start + CT_CHUNK, ciphertext.length);
      const ct = ciphertext.subarray(start, end - TAG);
      const d = createDecipheriv(cipher, key, nonce(baseNonce, k), { authTagLength: TAG });
      d.setAuthTag(ciphertext.subarray(end - TAG, end));
      try {
        out.push(d.update(ct), d.final());
      } catch {
        throw new ProtocolError(`chunk ${k} failed authentication`);
      }
    }
    return Buffer.concat(out);
  }

  return { encrypt, decrypt, derive };
}

export const cobblestone256 = makeCobblestone('AEAD_AES_256_GCM', 'aes-256-gcm', 32);
export const cobblestone128 = makeCobblestone('AEAD_AES_128_GCM', 'aes-128-gcm', 16);
export const encrypt = cobblestone256.encrypt;
export const decrypt = cobblestone256.decrypt;

/** Ciphertext size for n plaintext bytes (DESIGN.md). */
export const ciphertextSize = (n) => HEADER + n + TAG * (Math.floor(n / CHUNK) + 1);

// ---------------------------------------------------------------------------
// Ed25519 from a raw 32-byte seed

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519FromSeed(seed) {
  if (seed.length !== 32) throw new ProtocolError('Ed25519 seed must be 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    publicKey: Buffer.from(pub),
    sign: (msg) => edSign(null, typeof msg === 'string' ? utf8(msg) : msg, privateKey),
    verify: (msg, sig) => edVerify(null, typeof msg === 'string' ? utf8(msg) : msg, publicKey, sig),
  };
}

// ---------------------------------------------------------------------------
// Key schedule

export const KDF_V1 = Object.freeze({ alg: 'argon2id', t: 3, m: 65536, p: 1 });

/** P = Argon2id(NFC password, pwSalt, t=3, m=64 MiB, p=1, 32 bytes). */
export async function passwordKey(password, pwSalt) {
  const out = await argon2id({
    password: utf8(password.normalize('NFC')),
    salt: Buffer.from(pwSalt),
    iterations: KDF_V1.t,
    memorySize: KDF_V1.m,
    parallelism: KDF_V1.p,
    hashLength: 32,
    outputType: 'binary',
  });
  return Buffer.from(out);
}

const SALT_V1 = utf8('sealdrop/v1');

/**
 * The whole schedule from S (32 bytes) and P (32 bytes, or empty without a password).
 * Returns the link and access keys, fileKey(i) and the manifest key.
 */
export function keySchedule(S, P = Buffer.alloc(0)) {
  S = Buffer.from(S);
  P = Buffer.from(P);
  if (S.length !== 32) throw new ProtocolError('S must be 32 bytes');
  const prkLink = hkdfExtract('sha256', SALT_V1, S);
  const prk = hkdfExtract('sha256', SALT_V1, Buffer.concat([S, P]));
  const expand = (k, info) => hkdfExpand('sha256', k, utf8(info), 32);
  const linkSeed = expand(prkLink, 'sealdrop/v1 link');
  const authSeed = expand(prk, 'sealdrop/v1 auth');
  return {
    prkLink,
    prk,
    linkSeed,
    authSeed,
    link: ed25519FromSeed(linkSeed),
    auth: ed25519FromSeed(authSeed),
    fileKey: (i) => {
      if (!Number.isSafeInteger(i) || i < 0) throw new ProtocolError('bad file index');
      return expand(prk, `sealdrop/v1 file ${i}`);
    },
    manifestKey: expand(prk, 'sealdrop/v1 manifest'),
  };
}

export const shareContext = (id) => `sealdrop/v1 ${id}`;

/** The two strings signed for `action` ("manifest" | "download"). */
export function accessMessages(action, id, challenge) {
  return {
    link: `sealdrop/v1 link ${action} ${id} ${challenge}`,
    access: `sealdrop/v1 access ${action} ${id} ${challenge}`,
  };
}

export function accessBody(keys, action, id, challenge) {
  const m = accessMessages(action, id, challenge);
  return { challenge, linkSignature: b64u(keys.link.sign(m.link)), signature: b64u(keys.auth.sign(m.access)) };
}

// ---------------------------------------------------------------------------
// Names (DESIGN.md "Manifest": what a sender and a receiver both reject)

const FORBIDDEN_CHARS = /[\\:\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/u;
const DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

export function checkName(name) {
  if (typeof name !== 'string' || name.length === 0) throw new ProtocolError('empty file name');
  if (FORBIDDEN_CHARS.test(name)) throw new ProtocolError(`unsafe character in ${JSON.stringify(name)}`);
  if (/^[A-Za-z]:/.test(name) || name.startsWith('/')) throw new ProtocolError(`absolute path ${JSON.stringify(name)}`);
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new ProtocolError(`bad path segment in ${JSON.stringify(name)}`);
    if (/[. ]$/.test(seg)) throw new ProtocolError(`trailing dot or space in ${JSON.stringify(name)}`);
    if (DEVICE.test(seg)) throw new ProtocolError(`device name in ${JSON.stringify(name)}`);
    if (utf8(seg).length > 255) throw new ProtocolError('path segment over 255 bytes');
  }
}

export function checkNames(names) {
  const seen = new Set();
  for (const n of names) {
    checkName(n);
    const folded = n.normalize('NFC').toLowerCase().toUpperCase().toLowerCase();
    if (seen.has(folded)) throw new ProtocolError(`two files named ${JSON.stringify(n)}`);
    seen.add(folded);
  }
}

// ---------------------------------------------------------------------------
// Manifest

const PAD = 4096;

export function buildManifest(files, { createdAt = new Date().toISOString(), note } = {}) {
  const m = {
    v: 1,
    createdAt,
    files: files.map((f) => ({
      name: f.name,
      size: f.bytes.length,
      type: f.type ?? 'application/octet-stream',
      sha256: createHash('sha256').update(f.bytes).digest('hex'),
    })),
  };
  if (note !== undefined) m.note = note;
  return m;
}

/** UTF-8 JSON, then ASCII spaces up to the next multiple of 4096 bytes. */
export function padManifest(json) {
  const bytes = utf8(typeof json === 'string' ? json : JSON.stringify(json));
  const len = Math.ceil(bytes.length / PAD) * PAD;
  return Buffer.concat([bytes, Buffer.alloc(len - bytes.length, 0x20)]);
}

export function sealManifest(manifest, keys, id, opts) {
  return encrypt(keys.manifestKey, padManifest(manifest), shareContext(id), opts);
}

const MAX_MANIFEST_CT = 1024 * 1024;

/** The padded manifest plaintext (JSON + spaces). */
export function openManifestBytes(ciphertext, keys, id) {
  if (ciphertext.length > MAX_MANIFEST_CT) throw new ProtocolError('manifest ciphertext over 1 MiB');
  return decrypt(keys.manifestKey, ciphertext, shareContext(id));
}

export function openManifest(ciphertext, keys, id) {
  return parseManifestBytes(openManifestBytes(ciphertext, keys, id));
}

export function parseManifestBytes(padded) {
  if (padded.length % PAD !== 0) throw new ProtocolError(`manifest plaintext is ${padded.length} bytes, not a multiple of ${PAD}`);
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0x20) end--;
  const text = new TextDecoder('utf-8', { fatal: true }).decode(padded.subarray(0, end));
  const m = JSON.parse(text);
  return parseManifest(m);
}

export function parseManifest(m) {
  const fail = (why) => {
    throw new ProtocolError(`bad manifest: ${why}`);
  };
  if (!m || typeof m !== 'object' || Array.isArray(m)) fail('not an object');
  if (m.v !== 1) fail('v !== 1');
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) fail('createdAt');
  if (!Array.isArray(m.files) || m.files.length === 0 || m.files.length > 10000) fail('files');
  for (const f of m.files) {
    if (!f || typeof f !== 'object') fail('file entry');
    if (typeof f.name !== 'string' || f.name.length > 4096) fail('name');
    if (!Number.isSafeInteger(f.size) || f.size < 0) fail('size');
    if (typeof f.type !== 'string' || f.type.length > 255) fail('type');
    if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) fail('sha256');
    if ('lastModified' in f && typeof f.lastModified !== 'number' && typeof f.lastModified !== 'string') fail('lastModified');
  }
  if ('note' in m && (typeof m.note !== 'string' || m.note.length > 100000)) fail('note');
  if ('signatures' in m) {
    if (!Array.isArray(m.signatures)) fail('signatures');
    for (const s of m.signatures) {
      if (!Number.isSafeInteger(s?.file) || s.file < 0 || s.file >= m.files.length || typeof s.minisig !== 'string') fail('signature entry');
    }
  }
  checkNames(m.files.map((f) => f.name));
  return m;
}

// ---------------------------------------------------------------------------
// HTTP

async function http(method, url, { json, body, headers = {}, expect = [200] } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
    init.headers['content-type'] = 'application/octet-stream';
  }
  const res = await fetch(url, init);
  if (!expect.includes(res.status)) {
    const text = await res.text();
    let parsed = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { raw: text.slice(0, 500) };
    }
    throw new HttpError(method, url, res.status, parsed);
  }
  return res;
}

const getJson = async (method, url, opts) => (await http(method, url, opts)).json();

const trimServer = (s) => String(s).replace(/\/+$/, '');

/** Parse `http(s)://host/s/<id>#<S>` strictly. */
export function parseLink(link) {
  const u = new URL(link);
  const m = /^\/s\/([A-Za-z0-9_-]{22})$/.exec(u.pathname);
  if (!m) throw new ProtocolError('link path is not /s/<id>');
  const frag = u.hash.slice(1);
  if (!/^[A-Za-z0-9_-]{43}$/.test(frag)) throw new ProtocolError('damaged link: the secret is not 43 base64url characters');
  return { server: u.origin, id: m[1], S: fromB64u(frag, 32) };
}

/**
 * Encrypt and upload `files` ([{name, bytes, type?}]); returns {link, id, ownerToken, partBytes, manifest}.
 */
export async function send(server, files, { password, maxDownloads = 1, expiresIn, note, token, manifestPlaintext, skipNameCheck } = {}) {
  server = trimServer(server);
  if (!skipNameCheck) checkNames(files.map((f) => f.name));
  const config = await getJson('GET', `${server}/api/config`);
  const S = randomBytes(32);
  let pw = null;
  let P = Buffer.alloc(0);
  if (password !== undefined && password !== null) {
    const salt = randomBytes(16);
    P = await passwordKey(password, salt);
    pw = { salt: b64u(salt), kdf: { ...KDF_V1 } };
  }
  const keys = keySchedule(S, P);
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  const created = await getJson('POST', `${server}/api/shares`, {
    headers: auth,
    expect: [201],
    json: {
      expiresIn: expiresIn ?? config.defaultExpirySeconds,
      maxDownloads,
      linkPub: b64u(keys.link.publicKey),
      authPub: b64u(keys.auth.publicKey),
      password: pw,
      files: files.map((f) => ({ size: ciphertextSize(f.bytes.length) })),
    },
  });
  const { id, ownerToken, partBytes } = created;
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw new ProtocolError(`server gave a bad id ${id}`);
  if (!Number.isSafeInteger(partBytes) || partBytes <= 0) throw new ProtocolError('server gave no partBytes');
  const owner = { authorization: `Owner ${ownerToken}` };
  const context = shareContext(id);
  const parts = [];
  for (const [i, f] of files.entries()) {
    const ct = encrypt(keys.fileKey(i), f.bytes, context);
    const count = Math.max(1, Math.ceil(ct.length / partBytes));
    for (let n = 0; n < count; n++) {
      const res = await getJson('PUT', `${server}/api/shares/${id}/files/${i}/parts/${n}`, {
        headers: owner,
        body: ct.subarray(n * partBytes, Math.min((n + 1) * partBytes, ct.length)),
      });
      if (res.n !== n) throw new ProtocolError(`part ${n} acknowledged as ${res.n}`);
    }
    parts.push(count);
  }
  const manifest = buildManifest(files, { note });
  // `manifestPlaintext(manifest)` (tests only) replaces the padded JSON that gets sealed.
  const sealed = manifestPlaintext
    ? encrypt(keys.manifestKey, manifestPlaintext(manifest), context)
    : sealManifest(manifest, keys, id);
  const fin = await getJson('POST', `${server}/api/shares/${id}/finalize`, {
    headers: owner,
    json: { manifest: b64u(sealed) },
  });
  if (fin.status !== 'ready') throw new ProtocolError(`finalize returned status ${fin.status}`);
  return {
    link: `${server}/s/${id}#${b64u(S)}`,
    id,
    ownerToken,
    partBytes,
    parts,
    manifest,
    sealedManifest: sealed,
    expiresAt: fin.expiresAt,
  };
}

async function openShare(link, password) {
  const { server, id, S } = parseLink(link);
  const share = await getJson('GET', `${server}/api/shares/${id}`);
  if (share.id !== id) throw new ProtocolError('server answered for another share');
  if (share.status !== 'ready') throw new ProtocolError(`share status ${share.status}`);
  if (typeof share.challenge !== 'string' || share.challenge.length === 0) throw new ProtocolError('no challenge');
  let P = Buffer.alloc(0);
  if (share.password) {
    const { salt, kdf } = share.password;
    const keysOf = (o) => Object.keys(o ?? {}).sort().join(',');
    if (
      keysOf(kdf) !== keysOf(KDF_V1) ||
      Object.entries(KDF_V1).some(([k, v]) => kdf[k] !== v)
    ) {
      throw new ProtocolError(`refusing kdf parameters ${JSON.stringify(kdf)}`);
    }
    if (password === undefined || password === null) throw new ProtocolError('this share needs a password');
    P = await passwordKey(password, fromB64u(salt, 16));
  }
  return { server, id, share, keys: keySchedule(S, P) };
}

/** Reads the manifest without spending a download (POST /manifest). */
export async function info(link, { password } = {}) {
  const { server, id, share, keys } = await openShare(link, password);
  const res = await getJson('POST', `${server}/api/shares/${id}/manifest`, {
    json: accessBody(keys, 'manifest', id, share.challenge),
  });
  return { manifest: openManifest(fromB64u(res.manifest), keys, id), downloadsLeft: res.downloadsLeft, expiresAt: res.expiresAt };
}

/**
 * Spend one download, fetch and decrypt every file, check each SHA-256 against the
 * manifest. Test hooks: `tamper(i, ciphertext)` may alter a ciphertext before it is opened,
 * `onManifest(padded, manifest, downloadResponse)` sees the manifest as received.
 * Returns [{name, bytes, type, sha256}] in manifest order.
 */
export async function receive(link, { password, tamper, onManifest } = {}) {
  const { server, id, share, keys } = await openShare(link, password);
  const dl = await getJson('POST', `${server}/api/shares/${id}/download`, {
    json: accessBody(keys, 'download', id, share.challenge),
  });
  const padded = openManifestBytes(fromB64u(dl.manifest), keys, id);
  const manifest = parseManifestBytes(padded);
  onManifest?.(padded, manifest, dl);
  if (!Array.isArray(dl.files) || dl.files.length !== manifest.files.length) {
    throw new ProtocolError('server file list does not match the manifest');
  }
  const out = [];
  for (const [i, f] of manifest.files.entries()) {
    const expected = ciphertextSize(f.size);
    const listed = dl.files.find((x) => x.index === i);
    if (!listed || listed.size !== expected) throw new ProtocolError(`file ${i}: server size does not match the manifest`);
    const res = await http('GET', `${server}/api/shares/${id}/files/${i}`, {
      headers: { authorization: `Grant ${dl.grant}` },
    });
    let ct = Buffer.from(await res.arrayBuffer());
    if (ct.length !== expected) throw new ProtocolError(`file ${i}: got ${ct.length} bytes, manifest says ${expected}`);
    if (tamper) ct = Buffer.from(tamper(i, ct) ?? ct);
    const bytes = decrypt(keys.fileKey(i), ct, shareContext(id));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== f.sha256) throw new ProtocolError(`file ${i}: SHA-256 does not match the manifest`);
    out.push({ name: f.name, bytes, type: f.type, sha256 });
  }
  return out;
}
