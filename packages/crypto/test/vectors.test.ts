// All Wycheproof Cobblestone vectors in testdata/wycheproof-cobblestone-128-decryption.json, each named by
// its tcId, with the streaming checks on both decryptors (WebCrypto and the CLI's node:crypto).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkVector, runVectorFile, type MakeDecryptStream, type VectorFile } from '../bin/wycheproof.ts';
import { createDecryptStream } from '../src/index.ts';
import { createNodeDecryptStream } from '../src/node/index.ts';

const DECRYPTORS: [string, MakeDecryptStream][] = [
  ['WebCrypto', createDecryptStream],
  ['node:crypto', createNodeDecryptStream],
];

const file: VectorFile = JSON.parse(readFileSync(new URL('../testdata/wycheproof-cobblestone-128-decryption.json', import.meta.url), 'utf8'));

test('the file holds the 35 vectors we expect', () => {
  expect(file.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(35);
  expect(file.numberOfTests).toBe(35);
});

for (const [name, make] of DECRYPTORS) {
  for (const group of file.testGroups) {
    describe(`${name}: ${file.algorithm} ${group.aead}`, () => {
      test.each(group.tests.map((v) => [`tcId ${v.tcId}: ${v.comment} [${v.result}${v.flags.length ? ' ' + v.flags.join(',') : ''}]`, v] as const))('%s', async (_name, v) => {
        expect(await checkVector(group.aead, v, make)).toEqual([]);
      });
    });
  }
}

test.each(DECRYPTORS)('the runner notices a doctored vector file (%s)', async (_name, make) => {
  const doctored: VectorFile = structuredClone(file);
  const tests = doctored.testGroups[0].tests;
  tests.find((v) => v.tcId === 2)!.result = 'invalid'; // a valid message claimed invalid
  tests.find((v) => v.tcId === 3)!.msgSha512 = '00'.repeat(64); // wrong plaintext hash
  tests.find((v) => v.tcId === 12)!.msgLength = 0; // wrong valid prefix
  const failed: number[] = [];
  const res = await runVectorFile({ ...doctored, testGroups: [{ ...doctored.testGroups[0], tests: tests.filter((v) => [1, 2, 3, 12].includes(v.tcId)) }] }, (v, p) => {
    if (p.length) failed.push(v.tcId);
  }, make);
  expect(res).toEqual({ passed: 1, failed: 3 });
  expect(failed).toEqual([2, 3, 12]);
});
