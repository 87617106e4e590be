// The CLI's rough edges a new user hit, against the real local stack: a --server
// that is not a Sealdrop server, the owner token of a redirected send, a closed
// stdout, messages said once, time left, file modes, `report`, note-only shares.

import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { b64uEncode, deriveShareKeys, generateLinkSecret, parseLinkSecret, sealManifest } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../src/progress.ts';
import { CLI_BIN, runCli, type CliResult } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
let other: http.Server;
let otherUrl = '';
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const cli = (args: string[], input?: string) => runCli(args, { env: env(), input });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
/** No JavaScript stack trace reached the user. */
const noStack = (r: CliResult) => expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$|SyntaxError|Unexpected error/m);

async function send(args: string[]) {
  const r = await cli(['send', ...args, '--server', stack.url, '--json']);
  expectOk(r);
  return JSON.parse(r.stdout) as { url: string; id: string; ownerToken: string };
}

beforeAll(async () => {
  work = await tempDir('ux');
  await writeFile(w('kept.txt'), 'kept\n');
  stack = await startStack();
  // Some other web server: HTML for every path.
  other = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Welcome to nginx!</title><h1>Welcome to nginx!</h1>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => other?.close(r));
  await stack?.stop();
  await work?.cleanup();
});

describe('a --server that is not a Sealdrop server', () => {
  it('a URL with a path: says what it answered, that it is not Sealdrop, and the URL without the path (exit 2)', async () => {
    await writeFile(w('a.txt'), 'a\n');
    const r = await cli(['send', w('a.txt'), '--server', `${stack.url}/some/path`]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${stack.url}/some/path is not a Sealdrop server`);
    expect(r.stderr).toMatch(/answered 200 .*text\/html/);
    expect(r.stderr).toContain(`Give --server without a path: ${stack.url}`);
    noStack(r);
  });

  it('another web server: its answer is named, not "try again later" (exit 2)', async () => {
    const r = await cli(['receive', `${otherUrl}/s/AAAAAAAAAAAAAAAAAAAAAA#${'A'.repeat(43)}`, '-o', w('none')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${otherUrl} is not a Sealdrop server`);
    expect(r.stderr).toMatch(/answered 404 .*text\/html: "Welcome to nginx!/);
    expect(r.stderr).not.toMatch(/try again later/i);
    noStack(r);
    const info = await cli(['admin', 'stats', '--server', otherUrl], undefined);
    expect(info.code).not.toBe(0);
  });
});

it('send with stdout redirected and no --owner-token-file keeps the owner token (0600) and says where', async () => {
  const r = await cli(['send', w('kept.txt'), '--server', stack.url]);
  expectOk(r);
  const link = r.stdout.trim();
  const id = new URL(link).pathname.split('/').pop()!;
  const m = /The owner token is saved in (\S+) \(0600\)/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  const file = m![1];
  expect(file).toBe(w('state', 'sealdrop', 'owner-tokens', id));
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const token = (await readFile(file, 'utf8')).trim();
  expect(r.stderr).not.toContain(token); // the token itself is never on stderr
  const status = await cli(['status', link, '--owner-token-file', file, '--json']);
  expectOk(status);
  expect(JSON.parse(status.stdout).status).toBe('ready');
});

it('`admin show ID | head -1` ends quietly: no EPIPE stack trace, exit 0', async () => {
  const s = await send([w('kept.txt')]);
  // Enough output to overflow the pipe once head has gone: 60 long report rows.
  const client = new SealdropClient(stack.url);
  for (let i = 0; i < 60; i++) await client.report(s.id, `report ${i} ${'x'.repeat(1900)}`);
  const sh = spawn('bash', ['-c', `node "${CLI_BIN}" admin show ${s.id} 2>"${w('epipe.err')}" | head -1; echo "\${PIPESTATUS[0]}" > "${w('epipe.code')}"`], {
    env: { ...process.env, ...env(), SEALDROP_ADMIN_TOKEN: stack.adminToken, SEALDROP_SERVER: stack.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  sh.stdout.on('data', (d) => (out += d));
  await new Promise((r) => sh.on('close', r));
  expect(out).toContain(`Share ${s.id}`);
  const err = await readFile(w('epipe.err'), 'utf8');
  expect(err).not.toMatch(/EPIPE|at .+:\d+:\d+/);
  expect((await readFile(w('epipe.code'), 'utf8')).trim()).toBe('0');
});

describe('one sentence of what happened, one of what to do', () => {
  it('a damaged link says "damaged" once, with no stray "Share: " prefix', async () => {
    const s = await send([w('kept.txt')]);
    const damaged = s.url.replace(/#.*/, `#${generateLinkSecret()}`);
    const r = await cli(['receive', damaged, '-o', w('damaged-out')]);
    expect(r.code).toBe(3);
    expect(r.stderr.match(/damaged/g)).toHaveLength(1);
    expect(r.stderr).toBe('sealdrop: The server refused the link: it is damaged or incomplete. Copy the whole link again, everything after the # included.\n');
  });

  it('a revoked share: one message, no "Share: " prefix', async () => {
    const s = await send([w('kept.txt')]);
    expectOk(await cli(['revoke', s.url, '--owner-token', s.ownerToken]));
    const r = await cli(['info', s.url]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('sealdrop: The share was revoked by its sender or an administrator. Ask the sender if you still need the files.\n');
  });

  it('a refused admin token names the variable to fix, not an HTTP header', async () => {
    const r = await runCli(['admin', 'stats', '--server', stack.url], { env: { ...env(), SEALDROP_ADMIN_TOKEN: 'not-the-token' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The server refused the admin token. Set SEALDROP_ADMIN_TOKEN');
    expect(r.stderr).not.toMatch(/Authorization|Bearer/);
  });
});

it('the progress bar shows the time left', async () => {
  let text = '';
  const stream = { isTTY: true, columns: 100, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  const p = new Progress({ label: 'Uploading', total: 100 * 1024 * 1024, stream });
  p.add(1024 * 1024);
  await new Promise((r) => setTimeout(r, 1200));
  p.add(9 * 1024 * 1024);
  await new Promise((r) => setTimeout(r, 150));
  p.add(1024);
  expect(text).toMatch(/ \d+ (s|min \d+ s|min) left/);
  expect(text).toContain('MiB');
});

it('received files follow the umask (0644 under 022, 0640 under 027), as other download tools', async () => {
  const s = await send([w('kept.txt'), '--downloads', '2']);
  // A shell sets the umask the CLI inherits, as a user's login shell does.
  for (const [mask, mode] of [['022', 0o644], ['027', 0o640]] as const) {
    const code = await new Promise<number | null>((resolve) => {
      const c = spawn('sh', ['-c', `umask ${mask}; exec node "${CLI_BIN}" receive '${s.url}' -o '${w(`mode-${mask}`)}' --force`], { env: { ...process.env, ...env() }, stdio: 'ignore' });
      c.on('close', resolve);
    });
    expect(code).toBe(0);
    expect(statSync(w(`mode-${mask}`, 'kept.txt')).mode & 0o777).toBe(mode);
  }
});

describe('sealdrop report', () => {
  it('sends the reason to the admin queue; --reason is required', async () => {
    const s = await send([w('kept.txt')]);
    const r = await cli(['report', s.url, '--reason', 'phishing page in the archive']);
    expectOk(r);
    expect(r.stderr).toContain(`Report sent to the administrators of ${stack.url}.`);
    const detail = await new SealdropClient(stack.url).admin(stack.adminToken).share(s.id);
    expect(detail.reports.map((x) => x.reason)).toEqual(['phishing page in the archive']);
    const missing = await cli(['report', s.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--reason TEXT');
  });

  it('a rate-limited report says it was not sent (exit 2)', async () => {
    const s = await send([w('kept.txt')]);
    const client = new SealdropClient(stack.url);
    for (let i = 0; i < 100; i++) await client.report(s.id, `r${i}`);
    const r = await cli(['report', s.id, '--server', stack.url, '--reason', 'one more']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Too many reports .* this one was not sent\. Try again in \d+ min\./);
  });
});

/** A note-only share made with the protocol library, as the web page makes one. */
async function noteOnlyShare(note: string): Promise<{ url: string }> {
  const client = new SealdropClient(stack.url);
  const secret = generateLinkSecret();
  const keys = await deriveShareKeys(parseLinkSecret(secret), null);
  const { id, ownerToken } = await client.createShare({ expiresIn: 3600, maxDownloads: 1, linkPub: b64uEncode(keys.linkPub), authPub: b64uEncode(keys.authPub), password: null, files: [] });
  const manifest = await sealManifest(keys, id, { v: 1, createdAt: new Date().toISOString(), files: [], note });
  await client.finalize(id, ownerToken, b64uEncode(manifest));
  return { url: `${stack.url}/s/${id}#${secret}` };
}

it('a note-only share: receive prints the message on stdout and saves no file', async () => {
  const s = await noteOnlyShare('The door code is 4711.');
  const r = await cli(['receive', s.url, '-o', w('note-out')]);
  expectOk(r);
  expect(r.stdout).toBe('The door code is 4711.\n');
  expect(existsSync(w('note-out')) ? (await import('node:fs')).readdirSync(w('note-out')) : []).toEqual([]);
  const again = await cli(['receive', s.url, '-o', w('note-out')]);
  expect(again.code).toBe(4);
});
