// How a download's progress reaches the page (downloadPipeline.ts eventReporter):
// each progress event re-renders the page, so they are throttled; the verified
// end of a file is always told, with the file's full size.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventReporter } from '../src/transfer/downloadPipeline.ts';
import type { DownloadEvent, DownloadJob } from '../src/transfer/downloadTypes.ts';

const job = { id: 'x', grant: 'g', files: [{ index: 0, key: new Uint8Array(32), size: 5000, name: 'a.bin', sha256: 'ab'.repeat(32) }] } as DownloadJob;

describe('eventReporter', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('posts progress at most four times a second, and the verified end at once with the full size', () => {
    const got: DownloadEvent[] = [];
    const hooks = eventReporter(job, (ev) => got.push(ev));
    // 100 body reads over 2 s (one every 20 ms).
    for (let i = 1; i <= 100; i++) {
      hooks.progress!(0, i * 50);
      vi.advanceTimersByTime(20);
    }
    const progress = got.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(7);
    expect(progress.length).toBeLessThanOrEqual(9);
    expect(progress[0]).toEqual({ type: 'progress', file: 0, bytes: 50 }); // the first read is shown at once
    hooks.fileDone!(0, job.files[0].sha256);
    expect(got.slice(-2)).toEqual([
      { type: 'progress', file: 0, bytes: 5000 },
      { type: 'file-done', file: 0, sha256: job.files[0].sha256 },
    ]);
  });
});
