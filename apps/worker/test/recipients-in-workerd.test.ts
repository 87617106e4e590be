// The v1.1 recipient-wrap known answers inside workerd: X-Wing (@noble/post-quantum),
// HKDF and WebCrypto AES-GCM give the same bytes here as in Node and Chromium.
import { expect, test } from 'vitest';
import KAT from '../../../packages/crypto/testdata/sealdrop-v1.1-recipient-wrap-kat.json';
import { runRecipientKat } from '../../../packages/crypto/test/kat/recipients.ts';

test('every case of the recipient-wrap KAT passes in workerd (cases, negatives, malformed)', async () => {
  const results = await runRecipientKat(KAT as Parameters<typeof runRecipientKat>[0]);
  expect(results.length).toBe(3 * KAT.cases.length + KAT.negative.length + KAT.malformed.length);
  expect(results.filter((r) => r.error !== null)).toEqual([]);
});
