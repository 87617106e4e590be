// Test and benchmark page for @sealdrop/crypto in real Chromium: exposes the
// library, the worker pool and a decrypt-in-a-worker helper on window.
import * as crypto from '../../src/index.ts';
import { createCryptoPool } from '../../src/browser/index.ts';
import type { DecryptRequest, DecryptResponse } from './decrypt.worker.ts';
import recipientKat from '../../testdata/sealdrop-v1.1-recipient-wrap-kat.json';
import { runRecipientKat } from '../kat/recipients.ts';
import { benchXWing } from '../../bin/xwing-bench.ts';

/** Decrypts a Blob holding a whole message in a worker through createDecryptStream; returns the plaintext SHA-256 and timing. */
function decryptInWorker(blob: Blob, inputKey: Uint8Array, context: Uint8Array, hash = true): Promise<DecryptResponse> {
  const w = new Worker(new URL('./decrypt.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<DecryptResponse>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<DecryptResponse>) => {
      w.terminate();
      resolve(e.data);
    };
    w.onerror = (e) => {
      w.terminate();
      reject(new Error(e.message));
    };
    w.postMessage({ blob, inputKey, context, hash } satisfies DecryptRequest);
  });
}

Object.assign(window, {
  sealdrop: { ...crypto, createCryptoPool, decryptInWorker, recipientKat, runRecipientKat: () => runRecipientKat(recipientKat as Parameters<typeof runRecipientKat>[0]), benchXWing },
});
document.title = 'ready';
