// The web send adapter's pure parts: journal matching of re-selected files,
// the server's limits against a selection, and failures in the page's words.

import { ApiError, type ConfigResponse } from '@sealdrop/shared';
import { PlanError, TransferError, type SendJournal } from '@sealdrop/transfer';
import { describe, expect, it } from 'vitest';
import { matchJournalFiles } from '../src/transfer/journalMatch.ts';
import { checkLimits, checkSelection, describe as describeError, explain, SendError } from '../src/transfer/uploadWords.ts';

const file = (name: string, size: number) => ({ name, file: new File([new Uint8Array(size)], name.slice(name.lastIndexOf('/') + 1)) });
const journal = (names: string[], sizes: number[]) => ({ names, sizes }) as SendJournal;
const config = { maxFiles: 2, maxFileBytes: 1000, maxShareBytes: 1500, maxExpirySeconds: 3600, maxDownloads: 10, uploadPolicy: 'open' } as ConfigResponse;

describe('matchJournalFiles', () => {
  it('matches by name, else by base name and size when only one fits', () => {
    const picked = [file('a.txt', 3), file('other/b.bin', 5)];
    const m = matchJournalFiles(journal(['a.txt', 'dir/b.bin'], [3, 5]), picked);
    expect(m.files).toEqual([picked[0], picked[1]]);
    expect(m.missing).toEqual([]);
  });
  it('names the files it cannot match, and does not guess between two candidates', () => {
    const m = matchJournalFiles(journal(['dir/b.bin', 'c.txt'], [5, 1]), [file('x/b.bin', 5), file('y/b.bin', 5)]);
    expect(m.files).toEqual([null, null]);
    expect(m.missing).toEqual(['dir/b.bin', 'c.txt']);
  });
});

describe('limits', () => {
  it('words the server limits a selection breaks', () => {
    expect(checkLimits([file('big.iso', 1200)], config)).toEqual(['"big.iso" is larger than this server accepts for one file.']);
    expect(checkLimits([file('a', 1), file('b', 1), file('c', 1)], config)).toEqual(['This server takes at most 2 files in one share.']);
    expect(checkLimits([file('a', 1)], config)).toEqual([]);
  });
  it('asks for a file or a note when there is neither', () => {
    expect(checkSelection([], config)).toEqual(['Add at least one file, or write a note to send on its own.']);
    expect(checkSelection([], config, 'hello')).toEqual([]);
  });
});

describe('explain', () => {
  it('names the file that changed size', () => {
    const err = explain(new TransferError('input', 'changed_size', 'x'), journal(['a', 'b'], [1, 2]), [file('a', 1), file('b', 9)]);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).kind).toBe('changed_size');
    expect((err as SendError).message).toContain('"b" changed size');
  });
  it('turns plan problems, password and gone refusals into messages of their own kind', () => {
    expect((explain(new PlanError([{ kind: 'too_many_files', count: 3, max: 2 }]), null) as SendError).message).toBe('This server takes at most 2 files in one share.');
    expect((explain(new TransferError('forbidden', 'wrong_password', 'x'), null) as SendError).kind).toBe('password');
    expect((explain(new TransferError('gone', 'upload_gone', 'x'), null) as SendError).kind).toBe('gone');
  });
  it('describes server errors in plain words', () => {
    expect(describeError(new ApiError(0, 'network', 'x'))).toBe('Cannot reach the server. Check the connection and try again.');
    expect(describeError(new SendError('Exactly this.'))).toBe('Exactly this.');
  });
});
