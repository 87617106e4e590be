// Every case of testdata/sealdrop-v1.1-recipient-wrap-kat.json (cases, negatives,
// malformed text forms) in Node. The same runner runs in Chromium
// (e2e/crypto-browser.spec.ts) and in workerd (apps/worker/test/recipients-in-workerd.test.ts).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { runRecipientKat } from './kat/recipients.ts';

const KAT = JSON.parse(readFileSync(new URL('../testdata/sealdrop-v1.1-recipient-wrap-kat.json', import.meta.url), 'utf8'));
const results = await runRecipientKat(KAT);

test('every check of the file ran (3 per case, 1 per negative and malformed entry)', () => {
  expect(KAT.cases.length).toBeGreaterThanOrEqual(3);
  expect(results.length).toBe(3 * KAT.cases.length + KAT.negative.length + KAT.malformed.length);
});

test.each(results)('$name', (r) => {
  expect(r.error).toBeNull();
});

test('the runner catches a wrong answer (a changed wrap, an accepted malformed form)', async () => {
  const bad = structuredClone(KAT);
  bad.cases[0].stanza.wrap = bad.negative[2].stanza.wrap; // the tag-flipped wrap
  bad.malformed[0].value = bad.cases[0].identity; // a valid identity listed as malformed
  const failed = (await runRecipientKat(bad)).filter((r) => r.error !== null).map((r) => r.name);
  expect(failed).toEqual([`${KAT.cases[0].comment}: wrap with the injected randomness gives the stanza`, `${KAT.cases[0].comment}: the identity unwraps S`, `malformed identity: ${KAT.malformed[0].comment}: refused`]);
});
