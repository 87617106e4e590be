// Fault injection: the real stack is killed (SIGKILL to its whole process group,
// as a crash or an OOM kill would) at each phase of a CLI send and receive, then
// started again on the same state. Every case ends byte-exact, with no download
// beyond the one the share allows, and with no journal or hidden part file left.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from './helpers/cli.ts';
import { listTree, sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startProxy, type Proxy, type ProxyRule } from './helpers/proxy.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  work = await tempDir('crash');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

/** Journals the CLI keeps in its state folder (send-*.json, receive-*.json). */
function journals(): string[] {
  try {
    return readdirSync(w('state', 'sealdrop')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

/** A proxy on a port of our range whose rule can see the stack (to kill it at the right moment). */
async function proxy(rule: ProxyRule): Promise<Proxy> {
  return startProxy(stack.url, await freePort([stack.port]), rule);
}

// One crash per life of the stack: a rule that fires again while it is down (a retried request) kills nothing.
let alive = true;
let armed = false;
let killing: Promise<void> | null = null;
/** Kills the stack now (once per life), from inside a proxy rule. */
function crash(): void {
  if (!alive) return;
  alive = false;
  killing = stack.kill9();
}
/** Kills the stack `ms` after now, unless a kill is already due. Returns false when one is. */
function crashSoon(ms: number): boolean {
  if (!alive || armed) return false;
  armed = true;
  setTimeout(crash, ms);
  return true;
}
/** Waits for the kill, then starts the stack again on the same state. */
async function restart(): Promise<void> {
  await killing;
  await stack.restart();
  killing = null;
  armed = false;
  alive = true;
}

/** Receives `url` (one download) into a fresh folder and checks it byte for byte. */
async function receiveAndCheck(url: string, out: string, hash: string, name: string): Promise<CliResult> {
  const r = await runCli(['receive', url, '-o', out], { env: env() });
  expectOk(r);
  expect(await sha256File(path.join(out, name))).toBe(hash);
  expect(await listTree(out)).toEqual([name]);
  return r;
}

describe('send survives a killed stack', () => {
  it('killed before the create answer: the same command again sends the share', async () => {
    const hash = await writeRandomFile(w('c.bin'), 3 * MIB, 1);
    let first = true;
    const p = await proxy((req) => {
      if (req.method === 'POST' && req.url === '/api/shares' && first) {
        first = false;
        crash(); // the create may or may not run: its answer never comes
      }
      return { action: 'pass' };
    });
    try {
      const r1 = await runCli(['send', w('c.bin'), '--server', p.url, '--json'], { env: env() });
      expect(r1.code, r1.stderr).toBe(2);
      await restart();
      const r2 = await runCli(['send', w('c.bin'), '--server', p.url, '--json'], { env: env() });
      expectOk(r2);
      expect(journals()).toEqual([]);
      await receiveAndCheck(JSON.parse(r2.stdout).url, w('c-out'), hash, 'c.bin');
    } finally {
      await p.close();
    }
  });

  it('killed mid-parts: the re-run resumes from the parts the server stored', async () => {
    const hash = await writeRandomFile(w('m.bin'), 40 * MIB + 5, 2);
    let first = true;
    const p = await proxy((req) => {
      if (req.method === 'PUT' && /\/parts\/1$/.test(req.url!) && first && crashSoon(300)) {
        first = false;
        return { action: 'holdBody', afterBytes: MIB };
      }
      return { action: 'pass' };
    });
    try {
      const r1 = await runCli(['send', w('m.bin'), '--server', p.url, '--json', '--parallel', '1'], { env: env() });
      expect(r1.code, r1.stderr).toBe(2);
      expect(r1.stderr).toMatch(/run the command again|Run the same command again/i);
      await restart();
      const r2 = await runCli(['send', w('m.bin'), '--server', p.url, '--json', '--parallel', '1'], { env: env() });
      expectOk(r2);
      expect(JSON.parse(r2.stdout).resumedParts).toBe(1);
      expect(journals()).toEqual([]);
      await receiveAndCheck(JSON.parse(r2.stdout).url, w('m-out'), hash, 'm.bin');
    } finally {
      await p.close();
    }
  });

  it('killed five times while the same part is in flight: never locked, the part is stored once', async () => {
    const hash = await writeRandomFile(w('r.bin'), 20 * MIB, 3);
    let holds = 0;
    const p = await proxy((req) => {
      if (req.method === 'PUT' && /\/parts\/1$/.test(req.url!) && holds < 5 && crashSoon(300)) {
        holds++;
        return { action: 'holdBody', afterBytes: 64 * 1024 };
      }
      return { action: 'pass' };
    });
    try {
      for (let k = 1; k <= 5; k++) {
        const r = await runCli(['send', w('r.bin'), '--server', p.url, '--json', '--parallel', '1'], { env: env() });
        expect(r.code, `run ${k}: ${r.stderr}`).toBe(2);
        expect(r.stderr).not.toMatch(/already (sent|stored)/);
        await restart();
      }
      // Every interrupted send above took a slot on the server and died with it: the slots free themselves.
      const r = await runCli(['send', w('r.bin'), '--server', p.url, '--json', '--parallel', '1'], { env: env(), timeoutMs: 150_000 });
      expectOk(r);
      expect(holds).toBe(5);
      expect(journals()).toEqual([]);
      await receiveAndCheck(JSON.parse(r.stdout).url, w('r-out'), hash, 'r.bin');
    } finally {
      await p.close();
    }
  }, 400_000);

  it('killed during finalize: the re-run finalizes the same manifest', async () => {
    const hash = await writeRandomFile(w('f.bin'), 2 * MIB, 4);
    let first = true;
    const p = await proxy((req) => {
      if (req.method === 'POST' && req.url!.endsWith('/finalize') && first) {
        first = false;
        crash();
      }
      return { action: 'pass' };
    });
    try {
      const r1 = await runCli(['send', w('f.bin'), '--server', p.url, '--json'], { env: env() });
      expect(r1.code, r1.stderr).toBe(2);
      await restart();
      const r2 = await runCli(['send', w('f.bin'), '--server', p.url, '--json'], { env: env() });
      expectOk(r2);
      expect(journals()).toEqual([]);
      await receiveAndCheck(JSON.parse(r2.stdout).url, w('f-out'), hash, 'f.bin');
    } finally {
      await p.close();
    }
  });
});

describe('receive survives a killed stack', () => {
  /** Sends a one-download share and receives it through a proxy that kills the stack mid-file. */
  async function receiveThroughCrash(name: string, downFor: number) {
    const hash = await writeRandomFile(w(name), 24 * MIB, 5);
    const sent = await runCli(['send', w(name), '--server', stack.url, '--json'], { env: env() });
    expectOk(sent);
    const s = JSON.parse(sent.stdout) as { url: string; id: string; ownerToken: string };
    let first = true;
    const p = await proxy((req) => {
      if (req.method === 'GET' && /\/files\/0$/.test(req.url!) && first) {
        first = false;
        return { action: 'throttle', bytesPerSecond: 3 * MIB };
      }
      return { action: 'pass' };
    });
    const out = w(`${name}-out`);
    const link = s.url.replace(stack.url, p.url);
    try {
      const child = spawnCli(['receive', link, '-o', out], { env: env() });
      const done = collect(child, 110_000);
      // Wait until the receive journal holds verified bytes, then crash the stack under it.
      const deadline = Date.now() + 100_000;
      while (Date.now() < deadline && !journals().some((j) => j.startsWith('receive-') && /"bytes":[1-9]/.test(readJournalText(j)))) {
        await new Promise((r) => setTimeout(r, 50));
      }
      crash();
      const r1 = await done;
      expect(r1.code, r1.stderr).toBe(2);
      expect(r1.stderr).toMatch(/run the same command again until .* to resume without using another download/);
      if (downFor) {
        // The server stays down longer than any retry rides out; the journal waits.
        await new Promise((r) => setTimeout(r, downFor));
        const again = await runCli(['receive', link, '-o', out], { env: env() });
        expect(again.code, again.stderr).toBe(2);
        expect(again.stderr).toMatch(/to resume without using another download/);
      }
      await restart();
      const r2 = await receiveAndCheck(link, out, hash, name);
      expect(r2.stderr).toMatch(/no new download is used/);
      expect(p.requests.filter((q) => q.method === 'POST' && q.url.endsWith('/download'))).toHaveLength(1);
      const st = await new SealdropClient(stack.url).ownerStatus(s.id, s.ownerToken);
      expect(st.downloadsUsed).toBe(1);
      expect(journals()).toEqual([]);
    } finally {
      await p.close();
    }
  }

  it('killed mid-file: the re-run resumes with the same grant on a one-download share', async () => {
    await receiveThroughCrash('mid.bin', 0);
  }, 300_000);

  it('through a long outage (down 25 s, a re-run meanwhile): resumes once the server is back', async () => {
    await receiveThroughCrash('long.bin', 25_000);
  }, 300_000);
});

function readJournalText(name: string): string {
  try {
    return readFileSync(w('state', 'sealdrop', name), 'utf8');
  } catch {
    return '';
  }
}
