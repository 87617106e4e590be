// The launcher (bin/sealdrop.mjs) runs the cached bundle with a V8 code cache per
// command (issue 11: compiling the bundle was ~45 ms of every start). A cache
// that does not fit (damaged, another node) must only cost a compile, never a run.

import { isAscii } from 'node:buffer';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { ROOT } from './helpers/stack.ts';

const CACHE = path.join(ROOT, 'node_modules/.cache/sealdrop-cli');

function currentBundle(): string {
  const stamp = JSON.parse(readFileSync(path.join(CACHE, 'stamp.json'), 'utf8')) as { bundle: string };
  return path.join(CACHE, stamp.bundle);
}

describe('launcher code cache', () => {
  it('writes a code cache for the command it ran, beside the bundle', async () => {
    const r = await runCli(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sealdrop \d+\.\d+\.\d+ \(protocol sealdrop\/v1\)/);
    const bundle = currentBundle();
    expect(bundle.endsWith('.cjs')).toBe(true);
    expect(statSync(`${bundle}.other.v8`).size).toBeGreaterThan(10_000);
    // ASCII, so it loads as a one-byte string: a non-ASCII character in a regex literal (esbuild leaves those) needs a \u escape.
    expect(isAscii(readFileSync(bundle))).toBe(true);
  });

  it('runs the same with a damaged code cache, and writes a good one again', async () => {
    const first = await runCli(['--version']);
    expect(first.code, first.stderr).toBe(0);
    const cache = `${currentBundle()}.other.v8`;
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(cache, garbage);
    const again = await runCli(['--version']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).toBe('');
    const rewritten = readFileSync(cache);
    expect(rewritten.equals(garbage)).toBe(false);
    expect(rewritten.length).toBeGreaterThan(10_000);
  });
});
