// Zero knowledge of sealed shares: a file sent through a request to a recipient
// key, as real clients do it with packages/crypto; the requester opens it with the
// identity alone. Then all of D1 and R2 is searched: no S, no identity, no derived
// key, no name and no content may appear (the public key and stanzas may).
import {
  b64uEncode,
  decryptMessage,
  deriveShareKeys,
  encryptMessage,
  generateIdentity,
  generateLinkSecret,
  hexEncode,
  openManifest,
  openStanzas,
  parseLinkSecret,
  sealManifest,
  sealToRecipients,
  shareContext,
  signAccess,
} from '@sealdrop/crypto';
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { call, callJson, ciphertextSize, freshIp } from './helpers.ts';

const te = new TextEncoder();
const fromB64u = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
const contains = (hay: Uint8Array, needle: Uint8Array) => {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

it('a share sealed to a request key leaves no secret, name or content on the server', async () => {
  const requester = generateIdentity();
  const req = await callJson('POST', '/api/requests', { json: { recipient: requester.recipient.text, expiresIn: 3600, maxShares: 2, maxBytes: 1_000_000 }, ip: freshIp() });
  expect(req.status).toBe(201);

  // Sender: fresh S, keys, encrypt, seal the manifest, wrap S to the request's key.
  const name = 'Sealed-Logs-ZK-9931.tar';
  const marker = 'SEALED-PLAINTEXT-MARKER-';
  const content = te.encode(Array.from({ length: 2000 }, (_, i) => `${marker}${i}\n`).join(''));
  const S = generateLinkSecret();
  const secret = parseLinkSecret(S);
  const keys = await deriveShareKeys(secret, null);
  const size = ciphertextSize(content.length);
  const created = await callJson('POST', '/api/shares', {
    json: { expiresIn: 3600, maxDownloads: 1, linkPub: b64uEncode(keys.linkPub), authPub: b64uEncode(keys.authPub), password: null, files: [{ size }], request: req.body.id },
    ip: freshIp(),
  });
  expect(created.status).toBe(201);
  const { id, ownerToken } = created.body;
  const fileKey = await keys.fileKey(0);
  const ciphertext = await encryptMessage(fileKey, content, { context: shareContext(id) });
  expect((await call('PUT', `/api/shares/${id}/files/0/parts/0`, { auth: `Owner ${ownerToken}`, body: ciphertext, headers: { 'Content-Length': String(size) } })).status).toBe(200);
  const sha = hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', content)));
  const sealed = await sealManifest(keys, id, { v: 1, createdAt: new Date().toISOString(), files: [{ name, size: content.length, type: 'application/x-tar', sha256: sha }] });
  const stanzas = await sealToRecipients(secret, [requester.recipient], id);
  const fin = await callJson('POST', `/api/shares/${id}/finalize`, { auth: `Owner ${ownerToken}`, json: { manifest: b64uEncode(sealed), recipients: stanzas } });
  expect(fin.status).toBe(200);

  // Requester: what arrived, then open it with the identity only.
  const arrived = await callJson('GET', `/api/requests/${req.body.id}/shares`, { auth: `Owner ${req.body.ownerToken}` });
  expect(arrived.body.shares.map((s: { id: string }) => s.id)).toEqual([id]);
  const info = await callJson('GET', `/api/shares/${id}`);
  const opened = await openStanzas(info.body.recipients, [requester], id);
  const rk = await deriveShareKeys(opened.secret, null);
  const dl = await callJson('POST', `/api/shares/${id}/download`, { json: signAccess(rk, 'download', id, info.body.challenge) });
  expect(dl.status).toBe(200);
  expect((await openManifest(rk, id, fromB64u(dl.body.manifest))).files[0].name).toBe(name);
  const file = await call('GET', `/api/shares/${id}/files/0`, { auth: `Grant ${dl.body.grant}` });
  expect(new TextDecoder().decode(await decryptMessage(await rk.fileKey(0), new Uint8Array(await file.arrayBuffer()), { context: shareContext(id) }))).toBe(new TextDecoder().decode(content));

  // Never on the server, in any spelling.
  const secrets: Record<string, Uint8Array> = { S: secret, identitySeed: requester.seed, linkSeed: keys.linkSeed, authSeed: keys.authSeed, manifestKey: keys.manifestKey, fileKey };
  const text: Record<string, string> = { name, marker, sha, S, identity: requester.text, ownerToken, requestOwnerToken: req.body.ownerToken };
  for (const [k, v] of Object.entries(secrets)) {
    text[`${k} b64u`] = b64uEncode(v);
    text[`${k} hex`] = hexEncode(v);
  }
  const tables = await env.DB.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'`).all<{ name: string }>();
  expect(tables.results.map((t) => t.name)).toEqual(expect.arrayContaining(['shares', 'requests', 'access_log']));
  let dump = '';
  for (const { name: t } of tables.results) dump += JSON.stringify((await env.DB.prepare(`SELECT * FROM "${t}"`).all()).results);
  // The dump is real: it holds what the server must hold.
  expect(dump).toContain(requester.recipient.text);
  expect(dump).toContain(stanzas[0].enc);
  for (const [label, needle] of Object.entries(text)) expect(dump.includes(needle), `D1 holds ${label}`).toBe(false);
  const objects = (await env.BUCKET.list({ prefix: `shares/${id}/` })).objects;
  expect(objects.map((o) => o.key).sort()).toEqual([`shares/${id}/0`, `shares/${id}/manifest`]);
  const needles = { ...secrets, content: content.subarray(500, 560), ...Object.fromEntries(Object.entries(text).map(([k, v]) => [k, te.encode(v)])) };
  for (const o of objects) {
    const bytes = new Uint8Array(await (await env.BUCKET.get(o.key))!.arrayBuffer());
    for (const [label, needle] of Object.entries(needles)) expect(contains(bytes, needle), `${o.key} holds ${label}`).toBe(false);
  }
});
