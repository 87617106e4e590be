// The independent client (./client.mjs) against the real implementation, used as a black
// box: the local stack (scripts/start.mjs → wrangler dev, local D1/R2), the CLI
// (apps/cli/bin/sealdrop.mjs) and the Cobblestone tool (packages/crypto/bin/cobblestone.mjs).
// No code of the implementation is imported.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sd from './client.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = Number(process.env.INTEROP_PORT ?? 8860); // this suite's range: 8860-8869
const SERVER = `http://127.0.0.1:${PORT}`;
const CLI = path.join(root, 'apps/cli/bin/sealdrop.mjs');
const COBBLESTONE = path.join(root, 'packages/crypto/bin/cobblestone.mjs');
const offline = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

const work = mkdtempSync(path.join(tmpdir(), 'sealdrop-interop-'));
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
let stack;
let logFile;
let partBytes;

/** Runs a command to completion (bounded), optionally feeding stdin. */
function run(cmd, args, { input, timeout = 120_000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      cwd: work,
      env: { ...process.env, ...offline, XDG_STATE_HOME: path.join(work, 'state'), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${path.basename(args[0] ?? cmd)} ${args[1] ?? ''} timed out after ${timeout} ms`));
    }, timeout);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    p.stdin.end(input ?? Buffer.alloc(0));
  });
}

const cli = (args, opts) => run(process.execPath, [CLI, ...args], opts);
const cobblestone = (args, input) => run(process.execPath, [COBBLESTONE, ...args], { input });

const fresh = (name) => mkdtempSync(path.join(work, `${name}-`));

function readTree(dir) {
  const out = new Map();
  const walk = (d, prefix) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), rel);
      else out.set(rel, readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  return out;
}

function writePassword(pw) {
  const f = path.join(fresh('pw'), 'password');
  writeFileSync(f, pw, { mode: 0o600 }); // no trailing newline
  return f;
}

async function waitHealthy(deadline) {
  while (Date.now() < deadline) {
    if (stack.exitCode !== null) throw new Error(`the stack exited early (code ${stack.exitCode})`);
    try {
      const r = await fetch(`${SERVER}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return await r.json();
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the stack did not answer /api/health within 90 s');
}

before(async () => {
  mkdirSync(path.join(root, 'apps/web/dist'), { recursive: true });
  const persist = `.wrangler/interop-${PORT}`;
  rmSync(path.join(root, persist), { recursive: true, force: true });
  logFile = path.join(work, 'stack.log');
  const fd = openSync(logFile, 'w');
  stack = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...offline, RELAX_RATE_LIMITS: '1', SKIP_BUILD: '1', PORT: String(PORT), PERSIST_DIR: persist },
  });
  closeSync(fd);
  try {
    const health = await waitHealthy(Date.now() + 90_000);
    assert.deepEqual(health, { ok: true });
  } catch (e) {
    console.error(readFileSync(logFile, 'utf8').slice(-4000));
    throw e;
  }
  const config = await (await fetch(`${SERVER}/api/config`)).json();
  partBytes = config.partBytes;
  assert.ok(Number.isSafeInteger(partBytes) && partBytes >= 5 * 1024 * 1024, `partBytes ${partBytes}`);
});

after(async () => {
  if (stack && stack.exitCode === null) {
    const exited = new Promise((r) => stack.once('exit', r));
    try {
      process.kill(-stack.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const t = setTimeout(() => {
      try {
        process.kill(-stack.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(t);
  }
  rmSync(work, { recursive: true, force: true });
});

describe('independent client → implementation CLI', { timeout: 300_000 }, () => {
  const bigName = 'Ünïcødé résumé ☕ 大.bin';
  let big;
  before(() => {
    // One part plus a bit, so the file needs two parts whatever partBytes the server chose.
    big = randomBytes(partBytes + 1024 * 1024 + 7);
  });

  for (const password of [undefined, 'Cafe\u0301 ☕ pässwörd']) {
    it(`sends two files (one in two parts, one non-ASCII name) ${password ? 'with' : 'without'} a password; the CLI receives them byte-exact`, async () => {
      const files = [
        { name: 'notes.txt', bytes: Buffer.from('plain old text\n'), type: 'text/plain' },
        { name: bigName, bytes: big },
      ];
      const s = await sd.send(SERVER, files, { password });
      assert.match(s.link, new RegExp(`^${SERVER}/s/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$`));
      assert.deepEqual(s.parts, [1, 2]);

      const args = ['receive', s.link, '-o', fresh('out'), '-q'];
      if (password) {
        // The recipient types the NFC form; the sender gave the NFD form.
        const wrong = await cli(['receive', s.link, '-o', fresh('wrong'), '-q', '--password-file', writePassword('cafe ☕ pässwörd')]);
        assert.notEqual(wrong.code, 0, 'the CLI accepted a wrong password');
        args.push('--password-file', writePassword(password.normalize('NFC')));
      }
      const r = await cli(args);
      assert.equal(r.code, 0, `CLI receive failed: ${r.stderr}`);
      const got = readTree(args[3]);
      assert.deepEqual([...got.keys()].sort(), files.map((f) => f.name).sort());
      for (const f of files) assert.ok(got.get(f.name).equals(f.bytes), `${f.name} differs`);
    });
  }
});

describe('implementation CLI → independent client', { timeout: 300_000 }, () => {
  for (const password of [undefined, 'correct horse battery staple ☕']) {
    it(`the CLI sends ${password ? 'with' : 'without'} a password; the client receives byte-exact and checks SHA-256`, async () => {
      const dir = fresh('src');
      const local = new Map([
        ['hello.txt', Buffer.from('hello from the reference CLI\n')],
        ['Ωmega ☕ naïve.bin', randomBytes(40_000)], // three chunks
        ['empty.dat', Buffer.alloc(0)],
      ]);
      for (const [n, b] of local) writeFileSync(path.join(dir, n), b);
      const args = ['send', ...[...local.keys()].map((n) => path.join(dir, n)), '--server', SERVER, '--json', '-q', '--downloads', '2'];
      if (password) args.push('--password-file', writePassword(password));
      const r = await cli(args);
      assert.equal(r.code, 0, `CLI send failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.toString('utf8'));
      const link = out.url;
      assert.match(link, /\/s\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);

      if (password) await assert.rejects(sd.receive(link), /needs a password/);
      const seen = await sd.info(link, { password });
      assert.equal(seen.downloadsLeft, 2, '/manifest must consume nothing');
      assert.equal(seen.manifest.v, 1);

      let padded;
      let manifest;
      const files = await sd.receive(link, { password, onManifest: (p, m) => ((padded = p), (manifest = m)) });
      assert.equal(padded.length % 4096, 0);
      assert.deepEqual(manifest, seen.manifest, '/download and /manifest return the same manifest');
      assert.deepEqual(files.map((f) => f.name).sort(), [...local.keys()].sort());
      for (const f of files) {
        assert.ok(f.bytes.equals(local.get(f.name)), `${f.name} differs`);
        assert.equal(f.sha256, sha256(local.get(f.name)));
      }
      const after = await sd.info(link, { password });
      assert.equal(after.downloadsLeft, 1);
    });
  }
});

describe('implementation Cobblestone tool ↔ independent Cobblestone', { timeout: 120_000 }, () => {
  for (const size of [0, 5, 16384, 40_000]) {
    it(`${size} bytes, both directions`, async () => {
      const key = randomBytes(32);
      const context = `sealdrop/v1 ${randomBytes(16).toString('base64url')} ☕`;
      const plain = randomBytes(size);
      const theirs = await cobblestone(['encrypt', '--key', key.toString('hex'), '--context', context], plain);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.equal(theirs.stdout.length, sd.ciphertextSize(size));
      assert.ok(sd.decrypt(key, theirs.stdout, context).equals(plain));
      assert.throws(() => sd.decrypt(key, theirs.stdout, `${context}x`), /commitment/);

      const mine = sd.encrypt(key, plain, context);
      const back = await cobblestone(['decrypt', '--key', key.toString('hex'), '--context', context], mine);
      assert.equal(back.code, 0, back.stderr);
      assert.ok(back.stdout.equals(plain));

      const tampered = Buffer.from(mine);
      tampered[tampered.length - 1] ^= 1;
      const refused = await cobblestone(['decrypt', '--key', key.toString('hex'), '--context', context], tampered);
      assert.notEqual(refused.code, 0, 'the tool accepted a tampered tag');
    });
  }
});

describe('the client refuses what it must', { timeout: 120_000 }, () => {
  it('a tampered byte in a received ciphertext, a damaged link, a wrong password', async () => {
    const bytes = randomBytes(20_000);
    const s = await sd.send(SERVER, [{ name: 'a.bin', bytes }], { password: 'pw', maxDownloads: 5 });
    const flip = (at) => (i, ct) => {
      const c = Buffer.from(ct);
      c[at(c)] ^= 0x40;
      return c;
    };
    await assert.rejects(sd.receive(s.link, { password: 'pw', tamper: flip(() => 100) }), /chunk 0 failed/);
    await assert.rejects(sd.receive(s.link, { password: 'pw', tamper: flip((c) => c.length - 1) }), /chunk 1 failed/);
    await assert.rejects(sd.receive(s.link, { password: 'pw', tamper: flip(() => 3) }), /commitment/);
    await assert.rejects(
      sd.receive(s.link, { password: 'pw', tamper: (i, ct) => ct.subarray(0, 56 + 16400) }),
      /truncated|short final/,
    );

    const damaged = s.link.slice(0, -2) + (s.link.endsWith('AA') ? 'BA' : 'AA');
    await assert.rejects(sd.receive(damaged, { password: 'pw' }), (e) => e.status === 401 && e.code === 'unauthorized');
    await assert.rejects(sd.receive(s.link.slice(0, -1), { password: 'pw' }), /damaged link/);
    await assert.rejects(sd.receive(s.link, { password: 'wrong' }), (e) => e.status === 403 && e.code === 'forbidden');

    const ok = await sd.receive(s.link, { password: 'pw' });
    assert.ok(ok[0].bytes.equals(bytes));
  });
});

describe('server behaviour DESIGN.md states explicitly', { timeout: 180_000 }, () => {
  const J = { 'content-type': 'application/json' };
  const isError = async (res, status, code) => {
    assert.equal(res.status, status);
    const body = await res.json();
    assert.equal(typeof body?.error?.message, 'string', `error shape: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, code);
    return res;
  };
  const challenge = async (id) => (await (await fetch(`${SERVER}/api/shares/${id}`)).json()).challenge;
  const post = (id, action, body, headers = J) =>
    fetch(`${SERVER}/api/shares/${id}/${action}`, { method: 'POST', headers, body: JSON.stringify(body) });

  it('challenges, replay, one-time counting, finalize idempotence, file headers, Range, revoke', async () => {
    const bytes = randomBytes(1000);
    const s = await sd.send(SERVER, [{ name: 'x.bin', bytes }], { maxDownloads: 2 });
    const { id, S } = sd.parseLink(s.link);
    const keys = sd.keySchedule(S);
    const owner = { authorization: `Owner ${s.ownerToken}` };

    // Two recipients asking in the same second get different challenges.
    const [c1, c2] = await Promise.all([challenge(id), challenge(id)]);
    assert.notEqual(c1, c2);

    // Errors: 404 for a malformed id, 415 for a non-JSON body, 401 for a bad challenge or link proof.
    await isError(await fetch(`${SERVER}/api/shares/not-an-id`), 404, 'not_found');
    await isError(await post(id, 'download', sd.accessBody(keys, 'download', id, c1), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
    await isError(await post(id, 'download', { ...sd.accessBody(keys, 'download', id, c1), challenge: c1.slice(0, -2) + (c1.endsWith('AA') ? 'BA' : 'AA') }), 401, 'unauthorized');
    await isError(await post(id, 'download', sd.accessBody(keys, 'manifest', id, c1)), 401, 'unauthorized');

    // Finalize: the same manifest again is 200, a different one 409.
    const fin = (m) => fetch(`${SERVER}/api/shares/${id}/finalize`, { method: 'POST', headers: { ...J, ...owner }, body: JSON.stringify({ manifest: sd.b64u(m) }) });
    assert.equal((await fin(s.sealedManifest)).status, 200);
    await isError(await fin(sd.sealManifest(s.manifest, keys, id)), 409, 'conflict');

    // N concurrent attempts with k downloads left give exactly k grants; a replayed body gets none.
    const bodies = await Promise.all(Array.from({ length: 6 }, async () => sd.accessBody(keys, 'download', id, await challenge(id))));
    const answers = await Promise.all(bodies.map((b) => post(id, 'download', b)));
    const granted = answers.filter((r) => r.status === 200);
    assert.equal(granted.length, 2, `statuses ${answers.map((r) => r.status)}`);
    for (const r of answers.filter((r) => r.status !== 200)) await isError(r, 410, 'exhausted');
    const grant = (await granted[0].json()).grant;
    const replay = await post(id, 'download', bodies[answers.indexOf(granted[1])]);
    assert.notEqual(replay.status, 200);

    // The file as served: headers from DESIGN.md "Storage and server state", Range → 206.
    const file = await fetch(`${SERVER}/api/shares/${id}/files/0`, { headers: { authorization: `Grant ${grant}` } });
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/octet-stream');
    assert.match(file.headers.get('content-disposition') ?? '', /^attachment/);
    assert.match(file.headers.get('cache-control') ?? '', /private/);
    assert.match(file.headers.get('cache-control') ?? '', /no-store/);
    assert.equal(file.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    const ct = Buffer.from(await file.arrayBuffer());
    assert.ok(sd.decrypt(keys.fileKey(0), ct, sd.shareContext(id)).equals(bytes));
    const range = await fetch(`${SERVER}/api/shares/${id}/files/0`, { headers: { authorization: `Grant ${grant}`, range: 'bytes=56-16455' } });
    assert.equal(range.status, 206);
    assert.ok(Buffer.from(await range.arrayBuffer()).equals(ct.subarray(56, 16456)));

    // Revocation ends every grant at once.
    const del = await fetch(`${SERVER}/api/shares/${id}`, { method: 'DELETE', headers: owner });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { status: 'revoked' });
    await isError(await fetch(`${SERVER}/api/shares/${id}`), 410, 'revoked');
    const late = await fetch(`${SERVER}/api/shares/${id}/files/0`, { headers: { authorization: `Grant ${grant}` } });
    assert.ok(late.status >= 400, `a grant still read a revoked share (${late.status})`);
  });

  it('a share stays invisible until finalize has every part; the manifest is at most 1 MiB of ciphertext', async () => {
    const S = randomBytes(32);
    const keys = sd.keySchedule(S);
    const plain = Buffer.from('z');
    const res = await fetch(`${SERVER}/api/shares`, {
      method: 'POST',
      headers: J,
      body: JSON.stringify({
        expiresIn: 600,
        maxDownloads: 1,
        linkPub: sd.b64u(keys.link.publicKey),
        authPub: sd.b64u(keys.auth.publicKey),
        password: null,
        files: [{ size: sd.ciphertextSize(plain.length) }],
      }),
    });
    assert.equal(res.status, 201);
    const { id, ownerToken } = await res.json();
    const owner = { authorization: `Owner ${ownerToken}` };
    const context = sd.shareContext(id);
    const fin = (m) => fetch(`${SERVER}/api/shares/${id}/finalize`, { method: 'POST', headers: { ...J, ...owner }, body: JSON.stringify({ manifest: sd.b64u(m) }) });
    const manifest = sd.sealManifest(sd.buildManifest([{ name: 'z', bytes: plain }]), keys, id);

    await isError(await fetch(`${SERVER}/api/shares/${id}`), 404, 'not_found');
    const early = await fin(manifest);
    assert.ok(early.status >= 400, `finalize without the parts answered ${early.status}`);
    await isError(await fetch(`${SERVER}/api/shares/${id}`), 404, 'not_found');

    const put = await fetch(`${SERVER}/api/shares/${id}/files/0/parts/0`, { method: 'PUT', headers: owner, body: sd.encrypt(keys.fileKey(0), plain, context) });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { n: 0 });
    // 1 MiB of spaces seals to more than 1 MiB of ciphertext.
    const tooBig = await fin(sd.encrypt(keys.manifestKey, Buffer.alloc(1024 * 1024, 0x20), context));
    assert.ok(tooBig.status >= 400, `a manifest over 1 MiB was accepted (${tooBig.status})`);
    assert.equal((await fin(manifest)).status, 200);
    const share = await (await fetch(`${SERVER}/api/shares/${id}`)).json();
    assert.equal(share.status, 'ready');
    assert.equal(share.password, null);
  });

  it('wrong passwords: five 403s, then 429 rate_limited with Retry-After', async () => {
    const s = await sd.send(SERVER, [{ name: 'y.txt', bytes: Buffer.from('y') }], { password: 'right' });
    const { id, S } = sd.parseLink(s.link);
    const wrong = sd.keySchedule(S, Buffer.alloc(32, 1));
    for (let i = 0; i < 5; i++) {
      await isError(await post(id, 'manifest', sd.accessBody(wrong, 'manifest', id, await challenge(id))), 403, 'forbidden');
    }
    const limited = await post(id, 'manifest', sd.accessBody(wrong, 'manifest', id, await challenge(id)));
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After');
    await isError(limited, 429, 'rate_limited');
  });
});
