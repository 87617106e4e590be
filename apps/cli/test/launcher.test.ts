// The launcher (bin/sealdrop.mjs) runs the cached bundle with a V8 code cache per
// command (issue 11: compiling the bundle was ~45 ms of every start). A cache
// that does not fit (damaged, another node) must only cost a compile, never a run.

import { isAscii } from 'node:buffer';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  it('100 CLIs starting at once without a cache all run, and leave one whole cache behind', async () => {
    // A word no other test runs, so its cache (<bundle>.launcher-probe.v8) is this test's alone: the CLI
    // answers it with its usage error, which is output enough to compare.
    const args = ['launcher-probe'];
    const first = await runCli(args);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/^sealdrop: unknown command "launcher-probe"/);
    const cache = `${currentBundle()}.launcher-probe.v8`;
    rmSync(cache, { force: true });
    const runs = await Promise.all(Array.from({ length: 100 }, () => runCli(args)));
    for (const r of runs) {
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(first.stderr);
    }
    // Each wrote its cache to a file of its own and renamed it into place: no half-written leftovers.
    expect(readdirSync(CACHE).filter((f) => f.startsWith(path.basename(cache)) && f.endsWith('.tmp'))).toEqual([]);
    const left = statSync(cache);
    expect(left.size).toBeGreaterThan(10_000);
    // V8 takes the cache as it is: the launcher rewrites one only when V8 rejected it (or there was none).
    const after = await runCli(args);
    expect(after.code).toBe(1);
    expect(after.stderr).toBe(first.stderr);
    expect(statSync(cache).mtimeMs).toBe(left.mtimeMs);
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
