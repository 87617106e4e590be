// The body of bench/rss.mjs (TypeScript, so it can reuse the test helpers).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { collect, spawnCli } from '../test/helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from '../test/helpers/files.ts';
import { watchPeakRss } from '../test/helpers/rss.ts';
import { startStack, type Stack } from '../test/helpers/stack.ts';

const MIB = 1024 * 1024;
const LIMIT = 200e6;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'size-mib': { type: 'string' }, server: { type: 'string' } } });
  const size = Number(values['size-mib'] ?? 1024) * MIB;
  const work = await tempDir('bench');
  let stack: Stack | null = null;
  try {
    let server = values.server;
    if (!server) {
      process.stderr.write('Starting the local stack...\n');
      stack = await startStack({ timeoutMs: 120_000 });
      server = stack.url;
    }
    process.stderr.write(`Writing a ${size / MIB} MiB test file...\n`);
    const file = path.join(work.dir, 'big.bin');
    const hash = await writeRandomFile(file, size, 99);
    const env = { XDG_STATE_HOME: path.join(work.dir, 'state') };

    let t = Date.now();
    const send = spawnCli(['send', file, '--server', server, '--json', '--quiet'], { env });
    const sendRss = watchPeakRss(send);
    const s = await collect(send, 3_600_000);
    const sendSeconds = (Date.now() - t) / 1000;
    if (s.code !== 0) throw new Error(`send failed (${s.code}): ${s.stderr}`);
    const url = JSON.parse(s.stdout).url as string;

    t = Date.now();
    const recv = spawnCli(['receive', '-', '-o', path.join(work.dir, 'out'), '--quiet'], { env, input: url });
    const recvRss = watchPeakRss(recv);
    const r = await collect(recv, 3_600_000);
    const recvSeconds = (Date.now() - t) / 1000;
    if (r.code !== 0) throw new Error(`receive failed (${r.code}): ${r.stderr}`);
    const same = (await sha256File(path.join(work.dir, 'out', 'big.bin'))) === hash;

    const mb = (n: number) => (n / 1e6).toFixed(1);
    const speed = (sec: number) => ((size / MIB) / sec).toFixed(1);
    console.log(`CLI ${size / MIB} MiB: send peak RSS ${mb(sendRss.peak())} MB, ${speed(sendSeconds)} MiB/s (${sendSeconds.toFixed(1)} s); ` +
      `receive peak RSS ${mb(recvRss.peak())} MB, ${speed(recvSeconds)} MiB/s (${recvSeconds.toFixed(1)} s); byte-exact: ${same ? 'yes' : 'NO'}`);
    const ok = same && sendRss.peak() < LIMIT && recvRss.peak() < LIMIT;
    if (!ok) console.log(`FAIL: peak RSS must stay under ${mb(LIMIT)} MB and the file must round-trip`);
    return ok ? 0 : 1;
  } finally {
    await stack?.stop();
    await work.cleanup();
  }
}
