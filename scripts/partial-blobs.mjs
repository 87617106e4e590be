// Local R2 only. workerd writes each R2 blob to a temporary `.kj-tmp.*.partial`
// file and renames it when the body is complete; a part upload cut mid-body (a
// killed client or stack) leaves that file behind, unreferenced, for good (it
// survives restarts: 13 files, 133 MB after client kills in issue 17). No R2 API
// lists or deletes it, so the sweep cannot: `npm start` removes them, all at start
// (no workerd is writing yet) and, while running, those untouched for a while.
// Deployed R2 discards a failed upload itself.
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const PARTIAL = /^\.kj-tmp\..+\.partial$/;

/** Removes partial blob files under `persist`/v3/r2/<bucket>/blobs not modified for `maxAgeMs`; returns how many. */
export function removePartialBlobs(persist, maxAgeMs = 0, now = Date.now()) {
  const r2 = path.join(persist, 'v3', 'r2');
  let buckets = [];
  try {
    buckets = readdirSync(r2);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const bucket of buckets) {
    const blobs = path.join(r2, bucket, 'blobs');
    let names = [];
    try {
      names = readdirSync(blobs).filter((n) => PARTIAL.test(n));
    } catch {
      continue;
    }
    for (const n of names) {
      const file = path.join(blobs, n);
      try {
        if (now - statSync(file).mtimeMs < maxAgeMs) continue; // maybe still being written
        rmSync(file, { force: true });
        removed++;
      } catch {
        // gone meanwhile
      }
    }
  }
  return removed;
}
