// A note-only share (a secret message with no file) is a share with `files: []`:
// the note lives in the encrypted manifest; the server counts and limits its
// downloads like any other share's.
import { describe, expect, it } from 'vitest';
import { access, callJson, createShare, download, finalize, shareRow } from './helpers.ts';

describe('note-only shares', () => {
  it('are created with no file, finalized, and spent by their downloads like any share', async () => {
    const s = await createShare({ sizes: [], maxDownloads: 1 });
    const row = await shareRow(s.id);
    expect(row).toMatchObject({ status: 'uploading', file_count: 0, bytes: 0 });
    expect((await finalize(s)).status).toBe(200);
    // Reading the manifest (the note is inside) spends nothing; the download does.
    expect((await access(s, 'manifest')).body.downloadsLeft).toBe(1);
    const d = await download(s);
    expect(d.files).toEqual([]);
    expect((await shareRow(s.id)).downloads_used).toBe(1);
    const again = await callJson('GET', `/api/shares/${s.id}`);
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('exhausted');
  });
});
