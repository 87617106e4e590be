// Memory stays flat whatever the file size: a 64 MiB send and receive (4 parts,
// 3 in flight: the steady state of any bigger file) each peak under 200 MB of RSS, the CLI's memory budget
// at any size (bench/rss.mjs measures it at 1 GiB).

import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collect, spawnCli } from './helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { watchPeakRss } from './helpers/rss.ts';
import { startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);

beforeAll(async () => {
  work = await tempDir('rss');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

it('send and receive of 64 MiB each peak under 200 MB RSS, byte-exact', async () => {
  const hash = await writeRandomFile(w('in.bin'), 64 * MIB, 64);
  const env = { XDG_STATE_HOME: w('state') };

  const send = spawnCli(['send', w('in.bin'), '--server', stack.url, '--json'], { env });
  const sendRss = watchPeakRss(send);
  const s = await collect(send);
  expect(s.code, s.stderr).toBe(0);
  const url = JSON.parse(s.stdout).url;

  const recv = spawnCli(['receive', '-', '-o', w('out')], { env, input: url });
  const recvRss = watchPeakRss(recv);
  const r = await collect(recv);
  expect(r.code, r.stderr).toBe(0);
  expect(await sha256File(w('out', 'in.bin'))).toBe(hash);

  const mb = (n: number) => (n / 1e6).toFixed(1);
  console.log(`peak RSS for 64 MiB: send ${mb(sendRss.peak())} MB, receive ${mb(recvRss.peak())} MB`);
  expect(sendRss.peak()).toBeGreaterThan(20e6); // the measurement saw the process
  expect(sendRss.peak()).toBeLessThan(200e6);
  expect(recvRss.peak()).toBeGreaterThan(20e6);
  expect(recvRss.peak()).toBeLessThan(200e6);
});
