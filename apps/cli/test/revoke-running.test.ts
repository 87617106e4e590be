// A `receive` already downloading when the share is revoked or expires ends within
// the worker's re-check bound and says why (issue 9 item 2). A throttling proxy
// plays a slow connection, so the download is surely running when the share dies.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { ciphertextSize } from '@sealdrop/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from './helpers/cli.ts';
import { tempDir, writeRandomFile } from './helpers/files.ts';
import { socketBufferBytes, startProxy } from './helpers/proxy.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
/** The worker's bound (apps/worker/src/lib/live-body.ts RECHECK_BYTES)... */
const RECHECK_BYTES = 8 * MIB;
/** ...plus what socket buffers between the worker and the reader may already hold (the kernel's TCP maxima). */
const IN_FLIGHT = socketBufferBytes() + 4 * MIB;
const SIZE = 128 * MIB; // large enough that "ended early" still means something after IN_FLIGHT

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });

beforeAll(async () => {
  work = await tempDir('revoke-running');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

async function sendBig(name: string) {
  await writeRandomFile(w(name), SIZE, 11);
  const r = await runCli(['send', w(name), '--server', stack.url, '--json'], { env: env() });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { url: string; id: string; ownerToken: string };
}

describe('a running receive', () => {
  // Both are safe to repeat; the local runtime sometimes answers a revoke during a
  // download 503 "restarted mid-request" (a separate issue), so they are repeated until 200.
  const untilOk = async (call: () => Promise<Response>) => {
    for (let k = 0; k < 5; k++) if ((await call()).status === 200) return;
    throw new Error('the revoke never answered 200');
  };
  const kills = {
    revoked: (s: { id: string; ownerToken: string }) =>
      untilOk(() => fetch(`${stack.url}/api/shares/${s.id}`, { method: 'DELETE', headers: { authorization: `Owner ${s.ownerToken}` } })),
    'revoked by revoke-all': () =>
      untilOk(() =>
        fetch(`${stack.url}/api/admin/revoke-all`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ confirm: 'REVOKE ALL' }),
        }),
      ),
  };
  for (const [what, kill] of Object.entries(kills)) {
    // A receive's one download makes its share exhausted while it runs: revoke-all keeps that
    // status but ends the grant, and the resume must still be told "revoked" (it was a 401).
    it(`ends within ${RECHECK_BYTES / MIB} MiB (plus what is in flight) once ${what}, exit 4 saying so`, async () => {
      const name = `big-${what.replace(/\W/g, '')}.bin`;
      const s = await sendBig(name);
      let fileBytes = 0;
      const proxy = await startProxy(stack.url, await freePort([stack.port]), (req) =>
        req.method === 'GET' && /\/files\//.test(req.url!)
          ? { action: 'throttle', bytesPerSecond: 4 * MIB, onBytes: (n) => (fileBytes += n) }
          : { action: 'pass' },
      );
      try {
        const out = w(`out-${name}`);
        const child = spawnCli(['receive', s.url.replace(stack.url, proxy.url), '-o', out], { env: env() });
        const done = collect(child, 170_000);
        while (fileBytes < 4 * MIB && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
        const atKill = fileBytes;
        const t0 = Date.now();
        await kill(s);
        const killMs = Date.now() - t0;
        const atKilled = fileBytes;
        const r = await done;
        // Counted from the answer that says the revoke is done (a repeated one may take a while).
        const after = fileBytes - atKilled;
        console.log(
          `receive, ${what}: ${(atKill / MIB).toFixed(1)} MiB before, ${((atKilled - atKill) / MIB).toFixed(1)} MiB during the ${killMs} ms revoke call, ${(after / MIB).toFixed(1)} MiB after`,
        );
        expect(r.code, r.stderr).toBe(4);
        expect(r.stderr).toMatch(/the share was revoked/i);
        expect(after).toBeLessThanOrEqual(RECHECK_BYTES + IN_FLIGHT);
        expect(fileBytes).toBeLessThan(ciphertextSize(SIZE));
        // The cut connection was resumed with Range, and that request was told 410.
        expect(proxy.requests.filter((q) => /\/files\//.test(q.url) && q.range !== undefined).length).toBeGreaterThanOrEqual(1);
        expect(existsSync(path.join(out, name))).toBe(false);
      } finally {
        await proxy.close();
      }
    }, 180_000);
  }
});
