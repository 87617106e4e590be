// Zero knowledge: a full upload and download through packages/crypto, as a real
// client does it, then every D1 table and every R2 object is dumped and searched
// for the file name, the content, the link secret (raw, base64url, hex) and every
// key derived from it. None may appear.
import {
  b64uEncode,
  decryptMessage,
  deriveShareKeys,
  encryptMessage,
  generateLinkSecret,
  hexEncode,
  openManifest,
  parseLinkSecret,
  sealManifest,
  shareContext,
  signAccess,
  type Manifest,
} from '@sealdrop/crypto';
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { call, callJson, ciphertextSize, PART } from './helpers.ts';

const enc = new TextEncoder();

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

it('the server stores no name, content, secret or key', async () => {
  const name = 'Quarterly-Report-ZK-4711.pdf';
  const marker = 'SEALDROP-PLAINTEXT-MARKER-';
  const content = enc.encode(Array.from({ length: 3000 }, (_, i) => `${marker}${i}\n`).join(''));
  const secret = generateLinkSecret();
  const secretBytes = parseLinkSecret(secret);
  const keys = await deriveShareKeys(secretBytes, null);
  const contentHash = hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', content)));
  const size = ciphertextSize(content.length);
  expect(size).toBeLessThan(PART);

  // create
  const created = await callJson('POST', '/api/shares', {
    json: { expiresIn: 3600, maxDownloads: 2, linkPub: b64uEncode(keys.linkPub), authPub: b64uEncode(keys.authPub), password: null, files: [{ size }] },
    headers: { 'User-Agent': 'zk-test' },
  });
  expect(created.status).toBe(201);
  const { id, ownerToken } = created.body;
  const auth = `Owner ${ownerToken}`;

  // encrypt and upload, seal the manifest, finalize
  const fileKey = await keys.fileKey(0);
  const ciphertext = await encryptMessage(fileKey, content, { context: shareContext(id) });
  expect(ciphertext.length).toBe(size);
  const put = await call('PUT', `/api/shares/${id}/files/0/parts/0`, { auth, body: ciphertext, headers: { 'Content-Length': String(size) } });
  expect(put.status).toBe(200);
  const manifest: Manifest = { v: 1, createdAt: new Date().toISOString(), files: [{ name, size: content.length, type: 'application/pdf', sha256: contentHash }] };
  const sealed = await sealManifest(keys, id, manifest);
  const fin = await callJson('POST', `/api/shares/${id}/finalize`, { auth, json: { manifest: b64uEncode(sealed) } });
  expect(fin.status).toBe(200);

  // download and decrypt, as the recipient
  const info = await callJson('GET', `/api/shares/${id}`);
  const dl = await callJson('POST', `/api/shares/${id}/download`, { json: signAccess(keys, 'download', id, info.body.challenge) });
  expect(dl.status).toBe(200);
  const opened = await openManifest(keys, id, parseB64u(dl.body.manifest));
  expect(opened.files[0].name).toBe(name);
  const file = await call('GET', `/api/shares/${id}/files/0`, { auth: `Grant ${dl.body.grant}` });
  const plain = await decryptMessage(fileKey, new Uint8Array(await file.arrayBuffer()), { context: shareContext(id) });
  expect(new TextDecoder().decode(plain)).toBe(new TextDecoder().decode(content));
  const view = await callJson('POST', `/api/shares/${id}/manifest`, { json: signAccess(keys, 'manifest', id, (await callJson('GET', `/api/shares/${id}`)).body.challenge) });
  expect(view.status).toBe(200);
  await callJson('GET', `/api/shares/${id}/owner`, { auth });

  // what must never reach the server, in every form it could take
  const secrets: Record<string, Uint8Array> = {
    linkSecret: secretBytes,
    linkSeed: keys.linkSeed,
    authSeed: keys.authSeed,
    manifestKey: keys.manifestKey,
    fileKey,
  };
  const textNeedles: Record<string, string> = { name, marker, contentHash, ownerToken, linkSecretText: secret };
  for (const [k, v] of Object.entries(secrets)) {
    textNeedles[`${k} b64u`] = b64uEncode(v);
    textNeedles[`${k} hex`] = hexEncode(v);
  }
  const byteNeedles: Record<string, Uint8Array> = {
    ...secrets,
    content: content.subarray(1000, 1064),
    name: enc.encode(name),
    ...Object.fromEntries(Object.entries(textNeedles).map(([k, v]) => [`${k} (text)`, enc.encode(v)])),
  };

  // every D1 table (D1's own _cf_ tables are closed to queries and hold no application data)
  const tables = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`).all<{ name: string }>();
  const names = tables.results.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['shares', 'files', 'parts', 'grants', 'access_log', 'reports', 'api_tokens', 'quota', 'backoff', 'used_challenges']));
  let dump = '';
  for (const t of names) {
    const rows = await env.DB.prepare(`SELECT * FROM "${t.replace(/"/g, '""')}"`).all();
    dump += `${t}\n${JSON.stringify(rows.results)}\n`;
  }
  // The dump is real: it holds the id and the public keys, which the server does need.
  expect(dump).toContain(id);
  expect(dump).toContain(b64uEncode(keys.linkPub));
  expect(dump).toContain(b64uEncode(keys.authPub));
  for (const [label, needle] of Object.entries(textNeedles)) expect(dump.includes(needle), `D1 holds ${label}`).toBe(false);

  // every R2 object, its key and metadata
  const listed = await env.BUCKET.list({ include: ['httpMetadata', 'customMetadata'] } as R2ListOptions);
  const keysInBucket = listed.objects.map((o) => o.key);
  expect(keysInBucket).toEqual(expect.arrayContaining([`shares/${id}/0`, `shares/${id}/manifest`]));
  for (const o of listed.objects) {
    expect(o.customMetadata ?? {}).toEqual({});
    expect(o.httpMetadata?.contentType).toBeUndefined();
    const bytes = new Uint8Array(await (await env.BUCKET.get(o.key))!.arrayBuffer());
    for (const [label, needle] of Object.entries(byteNeedles)) expect(indexOf(bytes, needle), `${o.key} holds ${label}`).toBe(-1);
    for (const [label, needle] of Object.entries(textNeedles)) expect(o.key.includes(needle), `key holds ${label}`).toBe(false);
  }
  // the ciphertext stored is exactly what the client sent
  const stored = new Uint8Array(await (await env.BUCKET.get(`shares/${id}/0`))!.arrayBuffer());
  expect(indexOf(stored, ciphertext.subarray(0, 64))).toBe(0);
});

function parseB64u(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

it('a hash reaches D1 only when the sender published it, and only in shares.sha256s', async () => {
  const content = enc.encode('published-hash-content-ZK-0815\n'.repeat(50));
  const contentHash = hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', content)));
  const dump = async () => {
    const tables = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`).all<{ name: string }>();
    const out: Record<string, string> = {};
    for (const { name: t } of tables.results) out[t] = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${t.replace(/"/g, '""')}"`).all()).results);
    return out;
  };
  const share = async (publish: boolean) => {
    const keys = await deriveShareKeys(parseLinkSecret(generateLinkSecret()), null);
    const size = ciphertextSize(content.length);
    const created = await callJson('POST', '/api/shares', {
      json: { expiresIn: 3600, maxDownloads: 1, linkPub: b64uEncode(keys.linkPub), authPub: b64uEncode(keys.authPub), password: null, files: [{ size }], ...(publish ? { publishSha256: true } : {}) },
    });
    const { id, ownerToken } = created.body;
    const auth = `Owner ${ownerToken}`;
    const ciphertext = await encryptMessage(await keys.fileKey(0), content, { context: shareContext(id) });
    await call('PUT', `/api/shares/${id}/files/0/parts/0`, { auth, body: ciphertext, headers: { 'Content-Length': String(size) } });
    const manifest: Manifest = { v: 1, createdAt: new Date().toISOString(), files: [{ name: 'f.txt', size: content.length, type: 'text/plain', sha256: contentHash }] };
    const sealed = b64uEncode(await sealManifest(keys, id, manifest));
    const fin = await callJson('POST', `/api/shares/${id}/finalize`, { auth, json: { manifest: sealed, ...(publish ? { sha256: [contentHash] } : {}) } });
    expect(fin.status).toBe(200);
    return id;
  };
  await share(false);
  expect(Object.values(await dump()).some((rows) => rows.includes(contentHash)), 'a hash without the opt-in').toBe(false);
  const id = await share(true);
  const after = await dump();
  // The needle search does find a hash that is there: in the one column the sender opted into.
  expect(Object.entries(after).filter(([, rows]) => rows.includes(contentHash)).map(([t]) => t)).toEqual(['shares']);
  const row = await env.DB.prepare('SELECT sha256s FROM shares WHERE id = ?').bind(id).first<{ sha256s: string }>();
  expect(JSON.parse(row!.sha256s)).toEqual([contentHash]);
  expect(after.shares.split(contentHash).length - 1).toBe(1);
});
