// v1.1 shares sealed to recipient keys: `recipients` on finalize (1-20 stanzas,
// shape-checked, stored as given, idempotent) and in GET /api/shares/:id, and a
// recipient who holds only the identity opens the share from what the server returns.
import { b64uDecode, b64uEncode, deriveShareKeys, generateIdentity, generateLinkSecret, openStanzas, sealToRecipients, wrapSecret, type Stanza } from '@sealdrop/crypto';
import { describe, expect, it } from 'vitest';
import { b64u, callJson, createShare, finalize, owner, readyShare, shareRow, uploadAll, type Keys } from './helpers.ts';

const alice = generateIdentity();
const bob = generateIdentity();

/** A share made from a real S, as a client does, with its stanzas for `who`. */
async function sealedShare(who = [alice, bob]) {
  const secret = b64uDecode(generateLinkSecret(), 32);
  const k = await deriveShareKeys(secret, null);
  const keys: Keys = { linkSeed: k.linkSeed, linkPub: k.linkPub, authSeed: k.authSeed, authPub: k.authPub };
  const s = await createShare({ keys });
  await uploadAll(s);
  const stanzas = await sealToRecipients(secret, who.map((i) => i.recipient), s.id);
  return { s, secret, stanzas };
}

function finalizeWith(s: { id: string; ownerToken: string; manifest: Uint8Array }, recipients: unknown, manifest = s.manifest) {
  return callJson('POST', `/api/shares/${s.id}/finalize`, { json: { manifest: b64u(manifest), recipients }, auth: owner(s) });
}

describe('finalize with recipients', () => {
  it('stores the stanzas as given and returns them; each identity opens S from the answer alone', async () => {
    const { s, secret, stanzas } = await sealedShare();
    const f = await finalizeWith(s, stanzas);
    expect(f.status).toBe(200);
    const info = await callJson('GET', `/api/shares/${s.id}`);
    expect(info.status).toBe(200);
    expect(info.body.recipients).toEqual(stanzas);
    for (const who of [alice, bob]) {
      const { secret: opened } = await openStanzas(info.body.recipients, [who], s.id);
      expect(b64uEncode(opened)).toBe(b64uEncode(secret));
      // S gives the link key the server knows: the recipient can now run the v1 access protocol.
      expect(b64uEncode((await deriveShareKeys(opened, null)).linkPub)).toBe(b64u(s.keys.linkPub));
    }
    expect((await shareRow(s.id)).recipients).toBe(JSON.stringify(stanzas));
  });

  it('a link-secret share answers recipients: null', async () => {
    const s = await readyShare();
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.recipients).toBeNull();
  });

  it('is idempotent on (manifest, recipients): the same again is 200, anything else 409', async () => {
    const { s, secret, stanzas } = await sealedShare();
    const first = await finalizeWith(s, stanzas);
    expect(first.status).toBe(200);
    const again = await finalizeWith(s, stanzas);
    expect(again.status).toBe(200);
    expect(again.body.expiresAt).toBe(first.body.expiresAt);
    const other = [await wrapSecret(secret, alice.recipient, s.id)];
    expect((await finalizeWith(s, other)).status).toBe(409);
    expect((await finalizeWith(s, [...stanzas].reverse())).status).toBe(409);
    expect((await finalize(s)).status).toBe(409); // no recipients where there were some
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.recipients).toEqual(stanzas);
    // And a link-secret share cannot gain recipients after the fact.
    const plain = await readyShare();
    expect((await finalizeWith(plain, stanzas)).status).toBe(409);
  });

  it('1 to 20 stanzas', async () => {
    const { s, secret } = await sealedShare();
    const one = await wrapSecret(secret, alice.recipient, s.id);
    expect((await finalizeWith(s, Array(21).fill(one))).status).toBe(400);
    expect((await finalizeWith(s, [])).status).toBe(400);
    const twenty = Array(20).fill(one);
    expect((await finalizeWith(s, twenty)).status).toBe(200);
    expect((await callJson('GET', `/api/shares/${s.id}`)).body.recipients).toHaveLength(20);
  });

  it('malformed stanzas are 400 and store nothing (the share can still be finalized)', async () => {
    const { s, stanzas } = await sealedShare([alice]);
    const good: Stanza = stanzas[0];
    // Sets a bit the last character carries but no byte uses (1120 bytes leave 4 unused bits).
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const flipLast = (t: string) => t.slice(0, -1) + ALPHABET[ALPHABET.indexOf(t.at(-1)!) ^ 1];
    const bad: unknown[] = [
      null,
      'xwing',
      [null],
      [{ ...good, kem: 'x25519' }],
      [{ kem: 'xwing', enc: good.enc }],
      [{ ...good, extra: 1 }],
      [{ ...good, enc: good.enc.slice(1) }],
      [{ ...good, wrap: good.wrap + 'AAAA' }],
      [{ ...good, enc: good.enc.slice(0, -1) + '=' }],
      // A non-canonical spelling of the same bytes.
      [{ ...good, enc: flipLast(good.enc) }],
    ];
    for (const recipients of bad) {
      const r = await finalizeWith(s, recipients);
      expect(r.status, JSON.stringify(recipients).slice(0, 80)).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
      const row = await shareRow(s.id);
      expect(row.status).toBe('uploading');
      expect(row.recipients).toBeNull();
      expect(row.manifest_hash).toBeNull();
    }
    expect((await finalizeWith(s, stanzas)).status).toBe(200);
  });

  it('revoking wipes the stanzas with the other keys (the row stays for the log)', async () => {
    const { s, stanzas } = await sealedShare([alice]);
    expect((await finalizeWith(s, stanzas)).status).toBe(200);
    expect((await callJson('DELETE', `/api/shares/${s.id}`, { auth: owner(s) })).status).toBe(200);
    const row = await shareRow(s.id);
    expect(row.status).toBe('revoked');
    expect(row.recipients).toBeNull();
    expect(row.link_pub).toBeNull();
  });
});
