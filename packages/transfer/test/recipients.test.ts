// v1.1 in the engine against the real local stack: a share sealed to public
// keys opens with any of their identities and with nothing else ("not sealed
// to any of your keys", nothing consumed); file requests: the key is checked
// against the link's fingerprint before anything is sent, what arrived is
// listed and opens with the requester's identity, a closed request takes nothing.

import { generateIdentity, type Identity, type Recipient } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../apps/cli/test/helpers/stack.ts';
import {
  classify,
  closeFileRequest,
  createFileRequest,
  downloadFile,
  listRequestShares,
  openFileRequest,
  openSealedShare,
  readManifest,
  sendFiles,
  sendToRequest,
  takeDownload,
  TransferError,
} from '../src/index.ts';
import { faultyClient, memoryJournal, memoryPorts, memorySink, randomBytes, sha256, type Seen } from './helpers/ports.ts';

let stack: Stack;
let client: SealdropClient;
const bytes = randomBytes(300_000);
const noPassword = async () => {
  throw new Error('no password was expected');
};

beforeAll(async () => {
  stack = await startStack();
  client = new SealdropClient(stack.url);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function sealedSend(recipients: Recipient[], name = 'sealed.bin') {
  const ports = memoryPorts([{ name, bytes }]);
  return sendFiles({
    client,
    files: ports.files,
    password: null,
    settings: { expiresIn: 3600, maxDownloads: 5 },
    recipients,
    parts: ports.parts,
    hasher: ports.hasher,
    journal: memoryJournal().store,
  });
}

async function receiveWith(c: SealdropClient, id: string, identities: Identity[]) {
  const s = await openSealedShare(c, id, identities, noPassword);
  const { manifest } = await readManifest(s);
  const dl = await takeDownload(s);
  const mem = memorySink(manifest.files[0].size);
  await downloadFile(s, dl.grant, 0, { size: manifest.files[0].size, sha256: manifest.files[0].sha256, sink: mem.sink });
  return { s, manifest, plain: mem.buf };
}

const spends = (seen: Seen[]) => seen.filter((r) => r.method === 'POST' && /\/(manifest|download)$/.test(r.path));

describe('sealed shares', () => {
  const a = generateIdentity();
  const b = generateIdentity();
  let id = '';

  it('a share sealed to two keys carries two stanzas and opens with either identity', async () => {
    const r = await sealedSend([a.recipient, b.recipient]);
    id = r.id;
    const info = await client.shareInfo(id);
    expect(info.recipients).toHaveLength(2);
    // The stanzas carry no key id: neither public key nor fingerprint is on the wire.
    expect(JSON.stringify(info)).not.toContain(a.recipient.fingerprint);
    expect(JSON.stringify(info)).not.toContain(r.secret);
    for (const who of [a, b]) {
      const got = await receiveWith(client, id, [who]);
      expect(got.s.identity.recipient.fingerprint).toBe(who.recipient.fingerprint);
      expect(got.manifest.files[0].name).toBe('sealed.bin');
      expect(sha256(got.plain)).toBe(sha256(bytes));
    }
  });

  it('an identity it is not sealed to gets "not sealed to any of your keys" and consumes nothing', async () => {
    const before = (await readManifest(await openSealedShare(client, id, [a], noPassword))).downloadsLeft;
    const f = faultyClient(stack.url, () => ({ action: 'pass' }));
    const err = await openSealedShare(f.client, id, [generateIdentity(), generateIdentity()], noPassword).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferError);
    expect((err as TransferError).reason).toBe('not_sealed_to_you');
    expect((err as Error).message).toMatch(/not sealed to any of your keys/);
    expect(classify(err)).toBe('forbidden');
    expect(spends(f.seen)).toHaveLength(0);
    expect((await readManifest(await openSealedShare(client, id, [b], noPassword))).downloadsLeft).toBe(before);
  });

  it('a share without stanzas asked with an identity says it is not sealed', async () => {
    const ports = memoryPorts([{ name: 'plain.bin', bytes }]);
    const r = await sendFiles({ client, files: ports.files, password: null, settings: { expiresIn: 600, maxDownloads: 1 }, parts: ports.parts, hasher: ports.hasher, journal: memoryJournal().store });
    const err = await openSealedShare(client, r.id, [a], noPassword).catch((e: unknown) => e);
    expect((err as TransferError).reason).toBe('not_sealed');
  });

  it('a finalize whose answer was lost is resumed with the very same stanzas (200, not 409)', async () => {
    const ports = memoryPorts([{ name: 'lost.bin', bytes }]);
    const journal = memoryJournal();
    let cut = true;
    const f = faultyClient(stack.url, (r) => (r.path.endsWith('/finalize') && cut ? ((cut = false), { action: 'lose' as const }) : { action: 'pass' }));
    const first = await sendFiles({ client: f.client, files: ports.files, password: null, settings: { expiresIn: 600, maxDownloads: 2 }, recipients: [a.recipient], parts: ports.parts, hasher: ports.hasher, journal: journal.store, retry: { attempts: 1 } }).catch((e: unknown) => e);
    expect(classify(first)).toBe('transient');
    const saved = journal.saved;
    expect(saved?.recipients).toHaveLength(1);
    const r = await sendFiles({ client, files: ports.files, password: null, resume: saved!, recipients: [b.recipient], parts: ports.parts, hasher: ports.hasher, journal: journal.store });
    // The stanza written before the lost finalize is kept: the share opens with a, not b.
    expect(sha256((await receiveWith(client, r.id, [a])).plain)).toBe(sha256(bytes));
    expect(((await openSealedShare(client, r.id, [b], noPassword).catch((e: unknown) => e)) as TransferError).reason).toBe('not_sealed_to_you');
  });

  it('more than 20 recipients is refused before anything is created', async () => {
    const many = Array.from({ length: 21 }, () => generateIdentity().recipient);
    const f = faultyClient(stack.url, () => ({ action: 'pass' }));
    const ports = memoryPorts([{ name: 'x.bin', bytes }]);
    const err = await sendFiles({ client: f.client, files: ports.files, password: null, settings: { expiresIn: 600, maxDownloads: 1 }, recipients: many, parts: ports.parts, hasher: ports.hasher, journal: memoryJournal().store }).catch((e: unknown) => e);
    expect((err as TransferError).reason).toBe('recipient_count');
    expect(f.seen.filter((r) => r.method === 'POST' && r.path === '/api/shares')).toHaveLength(0);
  });
});

describe('file requests', () => {
  const owner = generateIdentity();

  it('a sender checks the key against the link, sends, and the requester lists and opens what arrived', async () => {
    const req = await createFileRequest(client, owner, { expiresIn: 3600, maxShares: 2, maxBytes: 10_000_000 });
    expect(req.fingerprint).toBe(owner.recipient.fingerprint);
    const opened = await openFileRequest(client, req.id, req.fingerprint);
    expect(opened.info.sharesLeft).toBe(2);
    const ports = memoryPorts([{ name: 'logs.tar', bytes }]);
    const sent = await sendToRequest({ client, files: ports.files, password: null, request: { id: req.id, fingerprint: req.fingerprint }, settings: { expiresIn: 7 * 86400, maxDownloads: 3 }, parts: ports.parts, hasher: ports.hasher, journal: memoryJournal().store });
    const arrived = await listRequestShares(client, req.id, req.ownerToken);
    expect(arrived.map((s) => s.id)).toEqual([sent.id]);
    // The share cannot outlive the request.
    expect(Date.parse(arrived[0].expiresAt ?? '')).toBeLessThanOrEqual(Date.parse(opened.info.expiresAt) + 1000);
    const got = await receiveWith(client, sent.id, [owner]);
    expect(got.manifest.files[0].name).toBe('logs.tar');
    expect(sha256(got.plain)).toBe(sha256(bytes));
    expect((await client.requestInfo(req.id)).sharesLeft).toBe(1);

    await closeFileRequest(client, req.id, req.ownerToken);
    const late = memoryPorts([{ name: 'late.bin', bytes }]);
    const err = await sendToRequest({ client, files: late.files, password: null, request: { id: req.id, fingerprint: req.fingerprint }, settings: { expiresIn: 600, maxDownloads: 1 }, parts: late.parts, hasher: late.hasher, journal: memoryJournal().store }).catch((e: unknown) => e);
    expect(classify(err)).toBe('gone');
    expect(await listRequestShares(client, req.id, req.ownerToken)).toHaveLength(1);
  });

  it('a link whose fingerprint is not the key of the request sends nothing', async () => {
    const req = await createFileRequest(client, owner, { expiresIn: 3600, maxShares: 1, maxBytes: 10_000_000 });
    const f = faultyClient(stack.url, () => ({ action: 'pass' }));
    const ports = memoryPorts([{ name: 'x.bin', bytes }]);
    const swapped = generateIdentity().recipient.fingerprint;
    const err = await sendToRequest({ client: f.client, files: ports.files, password: null, request: { id: req.id, fingerprint: swapped }, settings: { expiresIn: 600, maxDownloads: 1 }, parts: ports.parts, hasher: ports.hasher, journal: memoryJournal().store }).catch((e: unknown) => e);
    expect((err as TransferError).reason).toBe('fingerprint_mismatch');
    expect(classify(err)).toBe('integrity');
    expect(f.seen.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect((await client.requestInfo(req.id)).sharesLeft).toBe(1);
  });
});
