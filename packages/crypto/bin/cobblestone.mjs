#!/usr/bin/env node
// cobblestone encrypt|decrypt --key <hex> [--context <utf8>]
// Streams stdin to stdout as one Cobblestone message (c2sp.org/chunked-encryption):
// AES-256-GCM for a 32-byte key, AES-128-GCM for a 16-byte key. Memory stays
// bounded whatever the size. Decryption writes only authenticated chunks; on any
// failure it stops, says why on stderr and exits 1 (discard the partial output).
import { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { register } from 'tsx/esm/api';

register();
const { createEncryptStream, createDecryptStream, hexDecode, CobblestoneError } = await import('../src/index.ts');

const USAGE = 'usage: cobblestone encrypt|decrypt --key <hex, 16 or 32 bytes> [--context <utf8 string>]  (stdin → stdout)';

function die(msg, code) {
  process.stderr.write(`cobblestone: ${msg}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({ allowPositionals: true, options: { key: { type: 'string' }, context: { type: 'string', default: '' }, help: { type: 'boolean', short: 'h' } } });
} catch (e) {
  die(`${e.message}\n${USAGE}`, 2);
}
const [mode, ...extra] = args.positionals;
if (args.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if ((mode !== 'encrypt' && mode !== 'decrypt') || extra.length) die(USAGE, 2);
if (!args.values.key) die(`--key is required\n${USAGE}`, 2);
let key;
try {
  key = hexDecode(args.values.key);
} catch {
  die('--key must be hex', 2);
}
if (key.length !== 16 && key.length !== 32) die(`--key must be 16 bytes (AES-128) or 32 bytes (AES-256), got ${key.length}`, 2);

const transform = mode === 'encrypt' ? createEncryptStream(key, { context: args.values.context }) : createDecryptStream(key, { context: args.values.context });
try {
  await Readable.toWeb(process.stdin).pipeThrough(transform).pipeTo(Writable.toWeb(process.stdout));
} catch (e) {
  if (e instanceof CobblestoneError) {
    die(`decryption failed: ${e.message.replace(/^Cobblestone: /, '')}. Output so far is incomplete; discard it.`, 1);
  }
  if (e?.code === 'EPIPE') process.exit(1);
  die(`failed: ${e?.message ?? e}`, 1);
}
