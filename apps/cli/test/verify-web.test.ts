// sealdrop verify-web against the real local stack: a clean build verifies, and a
// changed byte in a served asset (a server or a middlebox tampering with the app),
// a changed local build, or a dropped security header is named, with exit 3.

import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { ROOT, startStack, type Stack } from './helpers/stack.ts';

const DIST = path.join(ROOT, 'apps/web/dist');
let stack: Stack;
let tmp: { dir: string; cleanup: () => Promise<void> };
const mainScript = () => 'assets/' + readdirSync(path.join(DIST, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;

/** A proxy in front of the stack that changes what it serves for one path. */
async function tamperingProxy(edit: (path: string, body: Buffer, headers: http.IncomingHttpHeaders) => Buffer) {
  const target = new URL(stack.url);
  const server = http.createServer((req, res) => {
    // Identity encoding upstream, so the edit sees the bytes of the file.
    const headers = { ...req.headers, host: target.host, 'accept-encoding': 'identity' };
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const headers = { ...upRes.headers };
        delete headers['transfer-encoding'];
        const body = edit(req.url!, Buffer.concat(chunks), headers);
        res.writeHead(upRes.statusCode!, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

beforeAll(async () => {
  tmp = await tempDir('verify-web');
  stack = await startStack();
}, 200_000);

afterAll(async () => {
  await stack?.stop();
  await tmp?.cleanup();
});

describe('sealdrop verify-web', () => {
  it('lists only what is served, each at the path it is listed under', async () => {
    const list = readFileSync(path.join(DIST, 'asset-hashes.txt'), 'utf8');
    expect(list).toContain('  index.html\n');
    expect(list).not.toContain('_headers');
    for (const line of list.trim().split('\n')) {
      const file = line.slice(66);
      const res = await fetch(`${stack.url}/${file}`, { redirect: 'manual' });
      expect(res.status, file).toBe(200);
      await res.arrayBuffer();
    }
  });

  it('verifies a clean build, with and without --build', async () => {
    const plain = await runCli(['verify-web', stack.url]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^ok: \d+ assets/m);
    const withBuild = await runCli(['verify-web', stack.url, '--build', DIST]);
    expect(withBuild.code, withBuild.stdout + withBuild.stderr).toBe(0);
  });

  it('names a served asset with one changed byte (exit 3)', async () => {
    const target = mainScript();
    const proxy = await tamperingProxy((url, body) => {
      if (url !== `/${target}`) return body;
      const changed = Buffer.from(body);
      changed[100] ^= 1;
      return changed;
    });
    try {
      for (const args of [[], ['--build', DIST]]) {
        const r = await runCli(['verify-web', proxy.url, ...args]);
        expect(r.code, r.stdout + r.stderr).toBe(3);
        const lines = r.stdout.split('\n').filter((l) => l.startsWith('MISMATCH'));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`MISMATCH ${target}: served bytes hash to`);
      }
    } finally {
      await proxy.close();
    }
  });

  it('names a file where the local build differs from what is served', async () => {
    const build = path.join(tmp.dir, 'other-build');
    cpSync(DIST, build, { recursive: true });
    const file = path.join(build, 'dl/sw.js');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n');
    const r = await runCli(['verify-web', stack.url, '--build', build]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^MISMATCH dl\/sw\.js: the served list says [0-9a-f]{64}, the build has [0-9a-f]{64}$/m);
  });

  it('names a security header of _headers that the server dropped', async () => {
    const proxy = await tamperingProxy((url, body, headers) => {
      if (url === '/index.html') delete headers['content-security-policy'];
      return body;
    });
    try {
      const r = await runCli(['verify-web', proxy.url, '--build', DIST]);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('MISMATCH index.html: header content-security-policy is missing');
    } finally {
      await proxy.close();
    }
  });

  it('a server that is not there is a network error (exit 2)', async () => {
    const r = await runCli(['verify-web', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
  });
});
