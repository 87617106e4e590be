// Test data on disk: deterministic pseudo-random files and tree comparison.

import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `sealdrop-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `size` pseudo-random bytes (xorshift, seeded) in 1 MiB steps: no big buffers. */
export async function writeRandomFile(file: string, size: number, seed = 1): Promise<string> {
  const fh = await open(file, 'w');
  const hash = createHash('sha256');
  let x = seed >>> 0 || 1;
  const step = 1 << 20;
  const buf = Buffer.alloc(step);
  try {
    for (let off = 0; off < size; off += step) {
      const n = Math.min(step, size - off);
      for (let i = 0; i < n; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        buf.writeUInt32LE(x >>> 0, i);
      }
      await fh.write(buf, 0, n, off);
      hash.update(buf.subarray(0, n));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Every file under `dir` (relative `/` paths), sorted, hidden ones included. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(d, e.name), rel);
      else out.push(rel);
    }
  };
  await walk(dir, '');
  return out.sort();
}
