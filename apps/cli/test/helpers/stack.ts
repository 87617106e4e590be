// Starts the real local stack (scripts/start.mjs: D1 migrations + `wrangler dev`
// with local D1/R2) on a free port of the CLI's range 8850-8859 and its own
// state folder, waits for /api/health, and stops the whole process group after.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
// CLI_TEST_PORT_BASE moves the range, so test runs of two checkouts on one machine do not race for ports.
const PORT_BASE = Number(process.env.CLI_TEST_PORT_BASE ?? 8850);
const PORTS = Array.from({ length: 10 }, (_, i) => PORT_BASE + i);

export interface Stack {
  url: string;
  port: number;
  persistDir: string;
  /** The development admin token (from .dev.vars; honoured from loopback with LOCAL=1). */
  adminToken: string;
  /** Output of the stack so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
  /** Kills the whole stack at once (SIGKILL to its process group), as a crash would; state stays. */
  kill9(): Promise<void>;
  /** Starts the stack again on the same port with the same state, and waits for /api/health. */
  restart(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// A stack takes seconds to bind its port, so a port that is free is no claim to it:
// two test processes starting stacks at once (the cli and transfer projects, two
// checkouts) could both pick it, share one server, and one's stop() would wipe the
// other's state mid-test. A lock file per port, machine-wide, holding the claiming
// process's pid, makes the claim exclusive; one whose process is gone is stale.
const lockFile = (port: number) => path.join(tmpdir(), `sealdrop-test-port-${port}.lock`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether another live process has claimed `port` (an unreadable or half-written lock counts as held). */
function claimedByOther(port: number): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(port), 'utf8'));
  } catch {
    return false;
  }
  return pid !== process.pid && (!pid || alive(pid));
}

/** Claims `port` for this process, or false when a live process holds it. */
function claim(port: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile(port), String(process.pid), { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || claimedByOther(port)) return false;
      rmSync(lockFile(port), { force: true }); // stale: its process is gone
    }
  }
  return false;
}

function release(port: number): void {
  if (!claimedByOther(port)) rmSync(lockFile(port), { force: true });
}

/** A free port of the CLI's range (8850-8859) that no stack has claimed, skipping `taken` (for a proxy, which binds at once). */
export async function freePort(taken: number[] = []): Promise<number> {
  for (const p of PORTS) if (!taken.includes(p) && !claimedByOther(p) && (await portFree(p))) return p;
  throw new Error(`No free port in ${PORT_BASE}-${PORT_BASE + 9} for the test stack.`);
}

/** A free port of the range, claimed for a stack of this process until its stop(). */
async function claimFreePort(): Promise<number> {
  for (const p of PORTS) {
    if (!claim(p)) continue;
    if (await portFree(p)) return p;
    release(p);
  }
  throw new Error(`No free port in ${PORT_BASE}-${PORT_BASE + 9} for the test stack.`);
}

export interface StackOptions {
  /** Extra `--var` style variables are not supported by start.mjs; PART_BYTES etc. come from wrangler.toml. */
  keepState?: boolean;
  timeoutMs?: number;
  /**
   * Puts the R2 blob store on a tmpfs of this many bytes, mounted in a private
   * mount namespace of the stack (unshare), so it vanishes with the stack and
   * no one else sees it: a disk that fills up for real.
   */
  r2TmpfsBytes?: number;
}

/** Whether this machine lets a test make a private mount namespace (root, or unprivileged user namespaces). */
export function canMountPrivately(): boolean {
  const args = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
  return spawnSync('unshare', [...args, '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /tmp'], { stdio: 'ignore' }).status === 0;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const port = await claimFreePort();
  const persistRel = `.wrangler/cli-test-${port}`;
  const persistDir = path.join(ROOT, persistRel);
  if (!opts.keepState) rmSync(persistDir, { recursive: true, force: true });
  // wrangler needs the assets folder to exist, even empty.
  const dist = path.join(ROOT, 'apps/web/dist');
  if (!existsSync(dist)) mkdirSync(dist, { recursive: true });

  let out = '';
  let child: ChildProcess;
  let exited = false;
  const spawnIt = () => {
    const env = {
      ...process.env,
      PORT: String(port),
      PERSIST_DIR: persistRel,
      SKIP_BUILD: '1',
      // Tests send hundreds of requests from 127.0.0.1 (scripts/start.mjs, LOCAL=1 only).
      RELAX_RATE_LIMITS: '1',
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    };
    const r2 = path.join(persistDir, 'v3', 'r2');
    const [cmd, args] = opts.r2TmpfsBytes
      ? [
          'unshare',
          [
            ...(process.getuid?.() === 0 ? ['-m'] : ['-r', '-m']),
            '--propagation',
            'private',
            'sh',
            '-c',
            `mkdir -p "$R2" && mount -t tmpfs -o size=${opts.r2TmpfsBytes} tmpfs "$R2" && exec "$NODE" scripts/start.mjs`,
          ],
        ]
      : [process.execPath, ['scripts/start.mjs']];
    exited = false;
    const c = spawn(cmd as string, args as string[], {
      cwd: ROOT,
      detached: true, // its own process group, so stop() ends wrangler and workerd too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, R2: r2, NODE: process.execPath },
    });
    child = c;
    c.stdout!.on('data', (d) => (out = (out + d).slice(-500_000)));
    c.stderr!.on('data', (d) => (out = (out + d).slice(-500_000)));
    c.on('exit', () => {
      if (child === c) exited = true; // a killed predecessor's late exit is not this one's
    });
  };

  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      return;
    }
    const deadline = Date.now() + graceMs;
    while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // The whole group, even when its leader has exited: a wrangler step that ignored
    // SIGTERM (a hung migrations apply) outlived start.mjs and kept running after the suite.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (!exited) await new Promise((r) => setTimeout(r, 50));
  };
  const kill = () => signal('SIGTERM', 10_000);
  const stop = async () => {
    await kill();
    // R2 blobs of big test files add up: leave no state behind.
    if (!opts.keepState) rmSync(persistDir, { recursive: true, force: true });
    release(port);
  };

  const url = `http://127.0.0.1:${port}`;
  const ready = async () => {
    const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
    for (;;) {
      if (exited) throw new Error(`The stack exited before it was ready:\n${out}`);
      try {
        const r = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await kill();
        throw new Error(`The stack did not answer /api/health within ${opts.timeoutMs ?? 90_000} ms:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  spawnIt();
  try {
    await ready();
  } catch (e) {
    release(port);
    throw e;
  }
  const vars = readFileSync(path.join(ROOT, '.dev.vars'), 'utf8');
  const adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(vars)?.[1] ?? '';
  return {
    url,
    port,
    persistDir,
    adminToken,
    output: () => out,
    stop,
    kill9: () => signal('SIGKILL', 0),
    restart: async () => {
      // The killed runtime may hold the port for a moment after its parent is gone.
      const deadline = Date.now() + 20_000;
      while (!(await portFree(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      spawnIt();
      await ready();
    },
  };
}
