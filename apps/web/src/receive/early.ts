// A share link's first steps, started by the entry (main.tsx) before the page's
// code has loaded, so they run while it is on its way: the key leaves the address
// bar, the share's GET (it spends nothing) is sent, the /dl/ service worker
// registers, and the page's store opens the share (keys, /manifest) as soon as
// its chunk is there, before React has loaded. Small imports only: this is part
// of the entry.
import { parseLinkSecret } from '@sealdrop/crypto';
import { SHARE_ID_RE } from '@sealdrop/crypto/constants';
import { prefetch } from '../app/prefetch.ts';
import { prepareServiceWorker } from '../transfer/swRegister.ts';
import type { ReceiveStore } from './receiveStore.ts';
import { takeFragment } from './fragment.ts';

let opened: { id: string; raw: string; store: ReceiveStore } | null = null;

/** Resolves once the store is open (or could not be made: the page then makes its own). */
export function openEarly(id: string): Promise<void> {
  // No key, a malformed one or a bad id: nothing is asked of the server (the
  // page says what is wrong, or asks for a sealed share's key).
  if (!SHARE_ID_RE.test(id) || location.hash.length <= 1) return Promise.resolve();
  const raw = takeFragment(id);
  let secret: Uint8Array;
  try {
    secret = parseLinkSecret(raw);
  } catch {
    return Promise.resolve();
  }
  prefetch(`/api/shares/${id}`);
  void prepareServiceWorker();
  return import('./receiveStore.ts')
    .then(({ createReceiveStore }) => {
      const store = createReceiveStore(id, secret);
      void store.getState().open();
      opened = { id, raw, store };
    })
    .catch(() => {}); // a chunk that did not load: the page loads it again
}

/** The store opened early for this share and key, once (null: the page makes its own). */
export function takeOpened(id: string, raw: string): ReceiveStore | null {
  const o = opened;
  opened = null;
  return o && o.id === id && o.raw === raw ? o.store : null;
}
