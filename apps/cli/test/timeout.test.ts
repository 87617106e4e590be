// A server that accepts the connection and then stalls no longer hangs the CLI
// (issue 17): a request without progress for SEALDROP_TIMEOUT / --timeout seconds
// is cut and retried under the one retry policy; a stall that never ends gives up
// with exit 2 and says so. A slow transfer that keeps moving is not cut.

import path from 'node:path';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startProxy, type Proxy, type ProxyRule } from './helpers/proxy.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = (timeout = '1') => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50', SEALDROP_TIMEOUT: timeout });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  work = await tempDir('timeout');
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

async function withProxy<T>(rule: ProxyRule, fn: (p: Proxy) => Promise<T>): Promise<T> {
  const proxy = await startProxy(stack.url, await freePort([stack.port]), rule);
  try {
    return await fn(proxy);
  } finally {
    await proxy.close();
  }
}

async function send(file: string, server = stack.url, extra: string[] = [], timeout = '1') {
  return runCli(['send', file, '--server', server, '--json', ...extra], { env: env(timeout), timeoutMs: 150_000 });
}

const isPart = (req: { method?: string; url?: string }) => req.method === 'PUT' && /\/parts\/\d+$/.test(req.url!);
const isFile = (req: { method?: string; url?: string }) => req.method === 'GET' && /\/files\/\d+$/.test(req.url!);

describe('a server that stalls', () => {
  it('send: a part the server takes and never answers is cut after the timeout and sent again; the share is whole', async () => {
    const hash = await writeRandomFile(w('up.bin'), 20 * MIB + 5, 3);
    let puts = 0;
    let via = '';
    const t0 = Date.now();
    const r = await withProxy(
      (req) => (isPart(req) && /\/parts\/1$/.test(req.url!) && puts++ === 0 ? { action: 'hang' } : { action: 'pass' }),
      // 3 s: the local stack itself may take over a second to store a 16 MiB part on a busy machine.
      (p) => ((via = p.url), send(w('up.bin'), p.url, [], '3')),
    );
    const ms = Date.now() - t0;
    expectOk(r);
    expect(r.stderr).toMatch(/no progress for 3 s/);
    expect(puts).toBeGreaterThanOrEqual(2); // the hung send, then the one that went through
    expect(ms).toBeLessThan(60_000);
    const s = JSON.parse(r.stdout) as { url: string };
    const got = await runCli(['receive', s.url.replace(via, stack.url), '-o', w('up-out')], { env: env() });
    expectOk(got);
    expect(await sha256File(w('up-out', 'up.bin'))).toBe(hash);
  });

  it('receive: a file answer that stops mid-body is cut after the timeout and resumed with Range; one download, byte-exact', async () => {
    const hash = await writeRandomFile(w('down.bin'), 10 * MIB + 9, 4);
    const sent = await send(w('down.bin'));
    expectOk(sent);
    const s = JSON.parse(sent.stdout) as { url: string; id: string; ownerToken: string };
    let first = true;
    await withProxy(
      (req) => {
        if (isFile(req) && first) {
          first = false;
          return { action: 'stall', afterBytes: 3 * MIB };
        }
        return { action: 'pass' };
      },
      async (p) => {
        const t0 = Date.now();
        const r = await runCli(['receive', s.url.replace(stack.url, p.url), '-o', w('down-out')], { env: env() });
        expectOk(r);
        expect(Date.now() - t0).toBeLessThan(60_000);
        expect(r.stderr).toMatch(/no progress for 1 s/);
        const gets = p.requests.filter(isFile);
        expect(gets.length).toBe(2);
        expect(Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1])).toBeGreaterThanOrEqual(2 * MIB);
      },
    );
    expect(await sha256File(w('down-out', 'down.bin'))).toBe(hash);
    expect((await new SealdropClient(stack.url).ownerStatus(s.id, s.ownerToken)).downloadsUsed).toBe(1);
  });

  it('a stall that never ends: send and receive give up after the retry budget with exit 2 and say why', async () => {
    await writeRandomFile(w('never.bin'), 6 * MIB, 5);
    const sent = await send(w('never.bin'));
    expectOk(sent);
    const s = JSON.parse(sent.stdout) as { url: string };
    await withProxy(
      (req) => (req.method === 'GET' && /^\/api\/shares\/[^/]+$/.test(req.url!.split('?')[0]) ? { action: 'hang' } : isPart(req) ? { action: 'hang' } : { action: 'pass' }),
      async (p) => {
        const t0 = Date.now();
        const recv = await runCli(['receive', s.url.replace(stack.url, p.url), '-o', w('never-out')], { env: env(), timeoutMs: 150_000 });
        const recvMs = Date.now() - t0;
        expect(recv.code, recv.stderr).toBe(2);
        expect(recv.stderr).toMatch(/no progress for 1 s: the server stopped responding/);
        // Each attempt waited one timeout: the policy's 8 attempts, then it stopped.
        const infos = p.requests.filter((q) => q.method === 'GET' && /^\/api\/shares\/[^/]+$/.test(q.url.split('?')[0])).length;
        expect(infos).toBe(8);
        expect(recvMs).toBeGreaterThan(7_000);
        expect(recvMs).toBeLessThan(60_000);

        const t1 = Date.now();
        const up = await send(w('never.bin'), p.url, ['--timeout', '1'], '0');
        const upMs = Date.now() - t1;
        expect(up.code, up.stderr).toBe(2);
        expect(up.stderr).toMatch(/no progress for 1 s/);
        expect(upMs).toBeLessThan(90_000);
      },
    );
  }, 200_000);

  it('a slow transfer that keeps moving is not cut: 8 MiB at 2 MiB/s with a 1 s timeout', async () => {
    const hash = await writeRandomFile(w('slow.bin'), 8 * MIB, 6);
    const sent = await send(w('slow.bin'));
    expectOk(sent);
    const s = JSON.parse(sent.stdout) as { url: string };
    await withProxy(
      (req) => (isFile(req) ? { action: 'throttle', bytesPerSecond: 2 * MIB } : { action: 'pass' }),
      async (p) => {
        const r = await runCli(['receive', s.url.replace(stack.url, p.url), '-o', w('slow-out')], { env: env() });
        expectOk(r);
        expect(p.requests.filter(isFile).length).toBe(1);
        expect(r.stderr).not.toMatch(/no progress/);
      },
    );
    expect(await sha256File(w('slow-out', 'slow.bin'))).toBe(hash);
  });

  it('a bad --timeout or SEALDROP_TIMEOUT is a usage error before anything is sent', async () => {
    for (const [args, e] of [
      [['--timeout', 'soon'], env()],
      [[], env('-3')],
    ] as const) {
      const r = await runCli(['send', w('slow.bin'), '--server', stack.url, ...args], { env: e });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/(--timeout|SEALDROP_TIMEOUT): .* is not a number of seconds/);
    }
  });
});
