// S of a fragment-less link from the browser's identities (or an identity
// file), unwrapped in a worker. Reads the share's stanzas only: no download is used.
import { parseIdentityFile } from '@sealdrop/crypto';
import { api } from '../app/api.ts';
import type { UnsealReply, UnsealRequest } from './unseal.worker.ts';

/** Whether the share carries stanzas (GET /api/shares/:id, consumes nothing); false when it cannot be read. */
export async function isSealed(id: string): Promise<boolean> {
  try {
    return Boolean((await api.shareInfo(id)).recipients?.length);
  } catch {
    return false;
  }
}

export function unsealInWorker(id: string, identityTexts: string[]): Promise<UnsealReply> {
  const worker = new Worker(new URL('./unseal.worker.ts', import.meta.url), { type: 'module', name: 'sealdrop-unseal' });
  return new Promise<UnsealReply>((resolve) => {
    worker.onmessage = (ev: MessageEvent<UnsealReply>) => resolve(ev.data);
    worker.onerror = (ev) => resolve({ ok: false, reason: 'error', message: ev.message || 'The key worker failed.' });
    worker.postMessage({ id, identities: identityTexts } satisfies UnsealRequest);
  }).finally(() => worker.terminate());
}

/** The identities of an identity file the user opened (not stored). Throws KeyFormatError naming the line. */
export function identitiesFromFile(text: string): string[] {
  return parseIdentityFile(text).map((i) => i.text);
}
