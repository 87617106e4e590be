// Fallback download worker (no service worker): runs the same fetch → decrypt →
// SHA-256 pipeline off the main thread and writes into a file the user picked
// (File System Access API) or, for small downloads, into a Blob for the page.
// On any failure the file is aborted (and removed where the browser allows), so
// nothing complete-looking is left behind.

import { eventReporter, jobStream, originClient, toFailure } from './downloadPipeline.ts';
import type { DownloadEvent, WorkerJobMessage } from './downloadTypes.ts';

const post = (ev: DownloadEvent) => (self as unknown as Worker).postMessage(ev);
const abort = new AbortController();

self.onmessage = async (e: MessageEvent<WorkerJobMessage | { type: 'cancel' }>) => {
  if (e.data.type === 'cancel') {
    abort.abort(new DOMException('canceled', 'AbortError'));
    return;
  }
  const { job, handle } = e.data;
  const { stream } = jobStream(originClient(self.location.origin), job, eventReporter(job, post), abort.signal);
  post({ type: 'started' });
  try {
    if (handle) {
      let writable: FileSystemWritableFileStream;
      try {
        writable = await handle.createWritable();
      } catch (err) {
        post({ type: 'error', error: { kind: 'storage', message: `The browser could not write the file: ${(err as Error).message}` } });
        return;
      }
      try {
        // pipeTo aborts the writable if the stream errors: the file is not committed.
        await stream.pipeTo(writable);
      } catch (err) {
        await (handle as unknown as { remove?: () => Promise<void> }).remove?.().catch(() => {});
        throw err;
      }
      post({ type: 'done' });
    } else {
      const parts: Uint8Array[] = [];
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      post({ type: 'done', blob: new Blob(parts as BlobPart[], { type: 'application/octet-stream' }) });
    }
  } catch (err) {
    post({ type: 'error', error: toFailure(err) });
  } finally {
    for (const f of job.files) f.key.fill(0);
  }
};
