#!/usr/bin/env node
// npm run vectors -w packages/crypto -- <file.json>
// Runs a Wycheproof Cobblestone vector file (AEAD from each group's "aead") and
// ends with "N passed, M failed"; exits 1 on any failure.
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
const { passed, failed } = await runVectorFile(json, (v, problems) => {
  for (const p of problems) console.log(`FAIL tcId ${v.tcId} (${v.comment}): ${p}`);
});
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
