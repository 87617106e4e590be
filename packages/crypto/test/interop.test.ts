// bin/cobblestone.mjs against independent implementations written from the spec
// only: Python + `cryptography` (when installed) and node:crypto. Both directions,
// both key sizes, and a tampered message must fail with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const ours = ['node', here('../bin/cobblestone.mjs')];
const hasPython = spawnSync('python3', ['-c', 'import cryptography'], { stdio: 'ignore' }).status === 0;
const others: [string, string[]][] = [['node:crypto', ['node', here('./interop/cobblestone-node.mjs')]]];
if (hasPython) others.push(['python cryptography', ['python3', here('./interop/cobblestone.py')]]);

function run(cmd: string[], input: Uint8Array) {
  const r = spawnSync(cmd[0], cmd.slice(1), { input, maxBuffer: 64 * 2 ** 20 });
  return { status: r.status, out: new Uint8Array(r.stdout), err: r.stderr.toString() };
}

const ourCmd = (mode: string, key: string, ctx: string) => [...ours, mode, '--key', key, '--context', ctx];

test('python interop is exercised on this machine when python3 + cryptography exist', () => {
  // Documented fallback: node:crypto only. This records which ran.
  expect(others.length).toBe(hasPython ? 2 : 1);
});

const cases = [
  { keyBytes: 32, size: 200_001 },
  { keyBytes: 16, size: 16384 }, // a full chunk, then the empty final chunk
];

describe.each(cases)('$keyBytes-byte key, $size bytes', ({ keyBytes, size }) => {
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(keyBytes))).toString('hex');
  const ctx = 'sealdrop/v1 AAECAwQFBgcICQoLDA0ODw ✓';
  const plain = new Uint8Array(size);
  for (let o = 0; o < size; o += 65536) crypto.getRandomValues(plain.subarray(o, Math.min(size, o + 65536)));
  let mine: ReturnType<typeof run>;

  test('our command encrypts', () => {
    mine = run(ourCmd('encrypt', key, ctx), plain);
    expect(mine.status, mine.err).toBe(0);
    expect(mine.out.length).toBe(56 + size + 16 * (Math.floor(size / 16384) + 1));
  });

  test.each(others)('%s decrypts ours, refuses it tampered; ours decrypts theirs, refuses it tampered', (_name, theirs) => {
    const opened = run([...theirs, 'decrypt', key, ctx], mine.out);
    expect(opened.status, opened.err).toBe(0);
    expect(Buffer.from(opened.out).equals(plain)).toBe(true);
    const bad = mine.out.slice();
    bad[30] ^= 1;
    expect(run([...theirs, 'decrypt', key, ctx], bad).status).toBe(1);

    const theirCt = run([...theirs, 'encrypt', key, ctx], plain);
    expect(theirCt.status, theirCt.err).toBe(0);
    const back = run(ourCmd('decrypt', key, ctx), theirCt.out);
    expect(back.status, back.err).toBe(0);
    expect(Buffer.from(back.out).equals(plain)).toBe(true);
    const bad2 = theirCt.out.slice();
    bad2[bad2.length - 3] ^= 1;
    const refused = run(ourCmd('decrypt', key, ctx), bad2);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(/decryption failed: a chunk failed authentication/);
  });

  test('a wrong context fails at the commitment, before any output', () => {
    const wrong = run(ourCmd('decrypt', key, ctx + '!'), mine.out);
    expect(wrong.status).toBe(1);
    expect(wrong.out.length).toBe(0);
    expect(wrong.err).toMatch(/key commitment/);
  });
});

test('usage errors exit 2', () => {
  expect(run([...ours, 'encrypt'], new Uint8Array()).status).toBe(2);
  expect(run([...ours, 'encrypt', '--key', 'abcd'], new Uint8Array()).status).toBe(2);
  expect(run([...ours, 'frobnicate', '--key', '00'.repeat(32)], new Uint8Array()).status).toBe(2);
});
