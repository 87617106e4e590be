// What both apps take from the engine at the edges of a send: the share link,
// which failures give up an interrupted journal, and progress from events.

import { ciphertextSize } from '@sealdrop/crypto';
import { describe, expect, it } from 'vitest';
import { abandonSend, cannotContinue, CANNOT_CONTINUE, SendProgress, shareLinks, TransferError, type SendJournal } from '../src/index.ts';

describe('shareLinks', () => {
  it('puts the secret after # for a share without recipients', () => {
    const l = shareLinks('https://drop.example/', { id: 'abc', secret: 'S3cret', journal: { recipients: null } });
    expect(l).toEqual({ url: 'https://drop.example/s/abc#S3cret', secretUrl: 'https://drop.example/s/abc#S3cret', sealed: false });
  });
  it('gives a sealed share a link with no secret in it, and keeps the secret link apart', () => {
    const l = shareLinks('https://drop.example', { id: 'abc', secret: 'S3cret', journal: { recipients: [{} as never] } });
    expect(l.url).toBe('https://drop.example/s/abc');
    expect(l.url).not.toContain('S3cret');
    expect(l.secretUrl).toBe('https://drop.example/s/abc#S3cret');
    expect(l.sealed).toBe(true);
  });
});

describe('cannotContinue', () => {
  it('names the reasons that start a new share, and no others', () => {
    for (const r of CANNOT_CONTINUE) expect(cannotContinue(new TransferError('input', r, 'x'))).toBe(r);
    expect(cannotContinue(new TransferError('input', 'file_changed', 'x'))).toBeNull();
    expect(cannotContinue(new TransferError('transient', 'network', 'x'))).toBeNull();
    expect(cannotContinue(new Error('upload_gone'))).toBeNull();
    expect([...CANNOT_CONTINUE].sort()).toEqual(['changed_size', 'other_files', 'password_differs', 'password_required', 'upload_gone', 'wrong_password']);
  });
});

describe('abandonSend', () => {
  const journal = { id: 'share1', ownerToken: 'owner1' } as SendJournal;
  it('revokes the share with its owner token and removes the journal', async () => {
    const revoked: string[] = [];
    const removed: string[] = [];
    await abandonSend({ revoke: async (id, t) => void revoked.push(`${id}/${t}`) }, journal, { remove: async (j) => void removed.push(j.id) });
    expect(revoked).toEqual(['share1/owner1']);
    expect(removed).toEqual(['share1']);
  });
  it('still removes the journal when the server refuses or is unreachable', async () => {
    const removed: string[] = [];
    await abandonSend({ revoke: async () => Promise.reject(new Error('offline')) }, journal, { remove: async (j) => void removed.push(j.id) });
    expect(removed).toEqual(['share1']);
  });
});

describe('SendProgress', () => {
  const sizes = [1000, 50];
  const totals = sizes.map(ciphertextSize);

  it('counts parts on the server and in flight per file, capped at the file', () => {
    const p = new SendProgress(sizes);
    expect(p.total).toBe(totals[0] + totals[1]);
    p.onEvent({ type: 'part-progress', file: 0, part: 0, sent: 300 });
    expect(p.files()[0]).toMatchObject({ sent: 300, allSent: false });
    p.onEvent({ type: 'part-progress', file: 0, part: 0, sent: totals[0] + 99 });
    expect(p.files()[0].sent).toBe(totals[0]);
    p.onEvent({ type: 'part-done', file: 0, part: 0, bytes: totals[0] });
    p.onEvent({ type: 'file-hashed', file: 0, sha256: 'ab'.repeat(32) });
    expect(p.files()[0]).toEqual({ sent: totals[0], total: totals[0], allSent: true, sha256: 'ab'.repeat(32) });
    expect(p.files()[1]).toEqual({ sent: 0, total: totals[1], allSent: false });
    expect(p.sent).toBe(totals[0]);
  });

  it('takes back the in-flight bytes of a part that is retried, and returns each change', () => {
    const p = new SendProgress(sizes);
    expect(p.onEvent({ type: 'part-progress', file: 1, part: 0, sent: 40 })).toBe(40);
    expect(p.onEvent({ type: 'retry', step: 'part', file: 1, part: 0, attempt: 1, delayMs: 10, kind: 'transient', offline: false, error: new Error('x') })).toBe(-40);
    expect(p.sent).toBe(0);
  });

  it('counts resumed parts as a base: in sent, not in this run', () => {
    const p = new SendProgress(sizes);
    expect(p.onEvent({ type: 'part-done', file: 0, part: 0, bytes: totals[0], resumed: true })).toBe(0);
    expect(p.resumedBytes).toBe(totals[0]);
    expect(p.sent).toBe(totals[0]);
    expect(p.sessionBytes).toBe(0);
    p.onEvent({ type: 'part-progress', file: 1, part: 0, sent: 20 });
    expect(p.sessionBytes).toBe(20);
  });

  it('forgets the sent bytes of a file that starts again', () => {
    const p = new SendProgress(sizes);
    p.onEvent({ type: 'part-done', file: 1, part: 0, bytes: totals[1] });
    p.onEvent({ type: 'file-restarted', file: 1, reason: 'changed' });
    expect(p.files()[1]).toMatchObject({ sent: 0, allSent: false });
  });

  it('measures speed over the samples and gives the time left from it', () => {
    const p = new SendProgress([10_000]);
    expect(p.rate(0)).toEqual({ speed: 0, eta: Number.NaN });
    p.onEvent({ type: 'part-progress', file: 0, part: 0, sent: 100 });
    expect(p.rate(200).speed).toBe(0); // too short a span to mean anything
    p.onEvent({ type: 'part-progress', file: 0, part: 0, sent: 1000 });
    const r = p.rate(1000);
    expect(r.speed).toBe(1000);
    expect(r.eta).toBeCloseTo((ciphertextSize(10_000) - 1000) / 1000);
    // Old samples leave the window: the speed is that of the last seconds.
    p.onEvent({ type: 'part-progress', file: 0, part: 0, sent: 1000 });
    p.rate(9500);
    expect(p.rate(10_000).speed).toBe(0);
  });
});
