// The browser's part sender: XHR with upload progress, and a watchdog that gives
// up a request that makes no progress (the engine then retries it).
import { ApiError, SealdropClient } from '@sealdrop/shared';
import type { PartUpload } from '@sealdrop/transfer';
import { onUploadProgress, xhrFetch } from './uploadXhr.ts';

/** A part request with no upload progress and no answer for this long is retried. */
export const PART_STALL_MS = 45_000;

/** Part PUTs go through XHR so the progress bar moves within a part. */
const uploadApi = new SealdropClient(location.origin, { fetch: xhrFetch });

/** XHR with upload progress; a request that makes no progress for PART_STALL_MS is given up (and retried by the engine). */
export async function sendPart(u: PartUpload<Blob>): Promise<void> {
  const attempt = new AbortController();
  const onRunAbort = () => attempt.abort();
  u.signal.addEventListener('abort', onRunAbort, { once: true });
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      attempt.abort();
    }, PART_STALL_MS);
  };
  watch();
  const off = onUploadProgress(u.body, (loaded) => {
    watch();
    u.onProgress(loaded);
  });
  try {
    await uploadApi.putPart(u.id, u.ownerToken, u.file, u.part, u.body, attempt.signal);
  } catch (e) {
    if (stalled && !u.signal.aborted) throw new ApiError(0, 'network', `part ${u.part} made no progress for ${PART_STALL_MS / 1000} s`);
    throw e;
  } finally {
    clearTimeout(timer);
    u.signal.removeEventListener('abort', onRunAbort);
    off();
  }
}
