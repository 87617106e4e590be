#!/usr/bin/env node
// npm run vectors -w packages/crypto -- <file.json>
// Runs a Wycheproof Cobblestone vector file (AEAD from each group's "aead") and
// ends with "N passed, M failed" per streaming decryptor; exits 1 on any failure.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { runVectorFile } = await import('./wycheproof.ts');

const path = process.argv[2];
if (!path) {
  console.error('usage: npm run vectors -w packages/crypto -- <wycheproof-file.json>');
  process.exit(2);
}
// npm -w runs this from packages/crypto; resolve a relative path against where the user was.
const file = resolve(process.env.INIT_CWD ?? process.cwd(), path);
let json;
try {
  json = JSON.parse(await readFile(file, 'utf8'));
} catch (e) {
  console.error(`cannot read ${file}: ${e.message}`);
  process.exit(2);
}
// Streaming on both decryptors: the universal WebCrypto one and the CLI's node:crypto one.
const { createNodeDecryptStream } = await import('../src/node/decryptStream.ts');
let ok = true;
for (const [name, make] of [['WebCrypto', undefined], ['node:crypto', createNodeDecryptStream]]) {
  const { passed, failed } = await runVectorFile(json, (v, problems) => {
    for (const p of problems) console.log(`FAIL ${name} tcId ${v.tcId} (${v.comment}): ${p}`);
  }, make);
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  ok &&= failed === 0 && passed > 0;
}
process.exit(ok ? 0 : 1);
