// A measuring aid for issue 11's "link open → first plaintext byte" (not a
// benchmark): the server's share of a link open. One stack, one 1 KiB share sent
// by the CLI, then, interleaved N times, the three calls a recipient's page makes
// (GET /api/shares/:id, POST /manifest, POST /download) and the first file GET
// with the grant, each timed from this Node client; prints the median and range
// of each in milliseconds.
// Run: node --import tsx scripts/bench/e2e/access-latency.ts --port P [--rounds 40]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deriveShareKeys, parseLinkSecret, signAccess } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { tempDir } from '../../../apps/cli/test/helpers/files.ts';
import { collect, spawnCli } from '../../../apps/cli/test/helpers/cli.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9700' }, rounds: { type: 'string', default: '40' } } });
const rounds = Number(values.rounds);
process.env.CLI_TEST_PORT_BASE = values.port;
const { startStack } = await import('../../../apps/cli/test/helpers/stack.ts');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const work = await tempDir('access-latency');
const stack = await startStack({ timeoutMs: 180_000 });
try {
  const file = path.join(work.dir, 'in', 'tiny.txt');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.alloc(1024, 'x'));
  const sent = await collect(spawnCli(['send', file, '--server', stack.url, '--downloads', String(rounds + 5), '--json', '--quiet'], { env: { XDG_STATE_HOME: path.join(work.dir, 'state') } }), 120_000);
  if (sent.code !== 0) throw new Error(`sealdrop send failed: ${sent.stderr}`);
  const link = new URL(JSON.parse(sent.stdout).url as string);
  const id = link.pathname.split('/').filter(Boolean).pop()!;
  const keys = await deriveShareKeys(parseLinkSecret(link.hash.slice(1)), null);
  const api = new SealdropClient(stack.url);
  const times: Record<string, number[]> = { 'GET share': [], 'POST manifest': [], 'POST download': [], 'GET file 0': [] };
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await f();
    times[name].push(performance.now() - t0);
    return v;
  };
  for (let i = 0; i < rounds; i++) {
    const info = await timed('GET share', () => api.shareInfo(id));
    await timed('POST manifest', () => api.manifest(id, signAccess(keys, 'manifest', id, info.challenge)));
    const info2 = await api.shareInfo(id);
    const { grant } = await timed('POST download', () => api.download(id, signAccess(keys, 'download', id, info2.challenge)));
    await timed('GET file 0', async () => new Uint8Array(await (await api.file(id, 0, grant)).arrayBuffer()));
  }
  console.log(`access-latency: ${rounds} rounds, ms from this Node client (median, range)`);
  for (const [name, xs] of Object.entries(times)) {
    console.log(`  ${name.padEnd(14)} ${median(xs).toFixed(1).padStart(6)}  (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`);
  }
} finally {
  await stack.stop();
  await work.cleanup();
}
