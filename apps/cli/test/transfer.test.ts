// send and receive against the real local stack (wrangler dev, local D1 and R2).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  b64uEncode,
  ciphertextSize,
  deriveShareKeys,
  encryptMessage,
  generateLinkSecret,
  parseLinkSecret,
  sha256Hex,
  shareContext,
  utf8Encode,
} from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runCli, type CliResult } from './helpers/cli.ts';
import { listTree, sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const cli = (args: string[], input?: string) => runCli(args, { env: env(), input });

const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

/** send --json, returns the parsed output. */
async function send(args: string[], input?: string) {
  const r = await cli(['send', ...args, '--server', stack.url, '--json'], input);
  expectOk(r);
  return JSON.parse(r.stdout) as { url: string; id: string; expiresAt: string; ownerToken: string; files: { name: string; size: number; sha256: string }[]; resumedParts: number };
}

beforeAll(async () => {
  work = await tempDir('transfer');
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

describe('send then receive', () => {
  it('round-trips several files, a folder, an empty file and non-ASCII names byte for byte', async () => {
    await mkdir(w('in', 'site', 'assets', 'deep'), { recursive: true });
    const big = await writeRandomFile(w('in', 'release.tar.gz'), 20 * 1024 * 1024 + 12345, 7);
    await writeFile(w('in', 'site', 'index.html'), '<h1>hello</h1>\n');
    await writeFile(w('in', 'site', 'empty.txt'), '');
    await writeFile(w('in', 'site', 'assets', 'deep', 'Grüße 日本.txt'), 'überall ✓\n');
    await writeRandomFile(w('in', 'site', 'assets', 'exact-chunk.bin'), 16384, 3);

    const s = await send([w('in', 'release.tar.gz'), w('in', 'site')]);
    expect(s.url).toMatch(new RegExp(`^${stack.url}/s/${s.id}#[A-Za-z0-9_-]{43}$`));
    expect(s.ownerToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(Date.parse(s.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(s.files.map((f) => f.name)).toEqual([
      'release.tar.gz',
      'site/assets/deep/Grüße 日本.txt',
      'site/assets/exact-chunk.bin',
      'site/empty.txt',
      'site/index.html',
    ]);
    expect(s.files[0]).toEqual({ name: 'release.tar.gz', size: 20 * 1024 * 1024 + 12345, sha256: big });
    expect(s.files[3].sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

    // The link goes in through stdin, so it never sits in argv.
    const r = await cli(['receive', '-', '-o', w('out')], `${s.url}\n`);
    expectOk(r);
    expect(await listTree(w('out'))).toEqual(['release.tar.gz', 'site/assets/deep/Grüße 日本.txt', 'site/assets/exact-chunk.bin', 'site/empty.txt', 'site/index.html']);
    for (const f of s.files) expect(await sha256File(w('out', ...f.name.split('/')))).toBe(f.sha256);
    expect(await readFile(w('out', 'site', 'assets', 'deep', 'Grüße 日本.txt'), 'utf8')).toBe('überall ✓\n');
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    // Nothing secret on stderr.
    expect(r.stderr).not.toContain(s.url.split('#')[1]);
  });

  it('prints only the link on stdout without --json, and never the secret or owner token on stderr', async () => {
    await writeFile(w('plain.txt'), 'plain\n');
    const r = await cli(['send', w('plain.txt'), '--server', stack.url]);
    expectOk(r);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\/s\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).not.toContain(lines[0].split('#')[1]);
    expect(r.stderr).not.toMatch(/owner token: /i);
  });

  it('a password protects the share: wrong one exit 3, none exit 1, right one works', async () => {
    await writeFile(w('secret.txt'), 'top secret\n');
    await writeFile(w('pw'), 'Çava, très bien\n');
    // NFC: the decomposed spelling of the same password opens it too.
    await writeFile(w('pw-nfd'), 'Çava, très bien'.normalize('NFD') + '\n');
    await writeFile(w('pw-wrong'), 'nope\n');
    const s = await send([w('secret.txt'), '--password-file', w('pw'), '--downloads', '3']);

    const wrong = await cli(['receive', s.url, '-o', w('pw-out')], undefined);
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(/password/);

    const bad = await cli(['receive', s.url, '-o', w('pw-out'), '--password-file', w('pw-wrong')]);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toMatch(/[Ww]rong password/);
    expect(existsSync(w('pw-out', 'secret.txt'))).toBe(false);

    const ok = await cli(['receive', s.url, '-o', w('pw-out'), '--password-file', w('pw-nfd')]);
    expectOk(ok);
    expect(await readFile(w('pw-out', 'secret.txt'), 'utf8')).toBe('top secret\n');

    // --password-stdin on the sending side.
    const s2 = await send([w('secret.txt'), '--password-stdin'], 'from stdin\n');
    await writeFile(w('pw2'), 'from stdin');
    expectOk(await cli(['receive', s2.url, '-o', w('pw-out2'), '--password-file', w('pw2')]));
  });

  it('info consumes nothing; receive spends the one download; a second receive is exit 4', async () => {
    await writeFile(w('once.txt'), 'only once\n');
    await writeFile(w('note.txt'), 'note');
    const s = await send([w('once.txt'), '--downloads', '1', '--note', 'for the auditors']);
    for (let i = 0; i < 2; i++) {
      const info = await cli(['info', s.url, '--json']);
      expectOk(info);
      const j = JSON.parse(info.stdout);
      expect(j).toMatchObject({ id: s.id, status: 'ready', downloadsLeft: 1, password: false, note: 'for the auditors' });
      expect(j.files).toEqual([{ name: 'once.txt', size: 10, type: 'text/plain', sha256: s.files[0].sha256, signedBy: null }]);
    }
    const human = await cli(['info', '-'], s.url);
    expectOk(human);
    expect(human.stdout).toContain('once.txt');
    expect(human.stdout).toContain('1 download left');

    expectOk(await cli(['receive', s.url, '-o', w('once-out')]));
    const again = await cli(['receive', s.url, '-o', w('once-out2')]);
    expect(again.code, again.stderr).toBe(4);
    expect(again.stderr).toMatch(/no downloads left/);
    expect(existsSync(w('once-out2', 'once.txt'))).toBe(false);
  });

  it('never overwrites without --force', async () => {
    await writeFile(w('dup.txt'), 'new content\n');
    const s = await send([w('dup.txt'), '--downloads', '2']);
    await mkdir(w('dup-out'), { recursive: true });
    await writeFile(w('dup-out', 'dup.txt'), 'old content\n');
    const r = await cli(['receive', s.url, '-o', w('dup-out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(w('dup-out', 'dup.txt'), 'utf8')).toBe('old content\n');
    // Refused before a download was spent: both are still there.
    const info = JSON.parse((await cli(['info', s.url, '--json'])).stdout);
    expect(info.downloadsLeft).toBe(2);
    expectOk(await cli(['receive', s.url, '-o', w('dup-out'), '--force']));
    expect(await readFile(w('dup-out', 'dup.txt'), 'utf8')).toBe('new content\n');
  });

  it('status shows the owner view; revoke ends the share (receive exit 4)', async () => {
    await writeFile(w('revoke.txt'), 'soon gone\n');
    const s = await send([w('revoke.txt'), '--downloads', '5']);
    const st = await cli(['status', s.url, '--owner-token', s.ownerToken, '--json']);
    expectOk(st);
    expect(JSON.parse(st.stdout)).toMatchObject({ status: 'ready', maxDownloads: 5, downloadsUsed: 0 });

    const bad = await cli(['revoke', s.id, '--server', stack.url, '--owner-token', 'A'.repeat(43)]);
    expect(bad.code).toBe(1);

    const rv = await runCli(['revoke', s.url], { env: { ...env(), SEALDROP_OWNER_TOKEN: s.ownerToken } });
    expectOk(rv);
    const r = await cli(['receive', s.url, '-o', w('revoked-out')]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/revoked/);
    expect(existsSync(w('revoked-out', 'revoke.txt'))).toBe(false);
    const st2 = await cli(['status', s.id, '--server', stack.url, '--owner-token', s.ownerToken, '--json']);
    expectOk(st2);
    expect(JSON.parse(st2.stdout).status).toBe('revoked');
  });

  it('exit codes: usage 1, unreachable server 2, unknown share 4, damaged link 3', async () => {
    expect((await cli(['send'])).code).toBe(1);
    expect((await cli(['frobnicate'])).code).toBe(1);
    expect((await cli(['send', w('plain.txt'), '--server', stack.url, '--expires', 'soon'])).code).toBe(1);
    const down = await cli(['send', w('plain.txt'), '--server', 'http://127.0.0.1:9']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/Cannot reach/);
    const unknown = await cli(['receive', `${stack.url}/s/${'A'.repeat(22)}#${'A'.repeat(43)}`]);
    expect(unknown.code, unknown.stderr).toBe(4);
    // A truncated or missing key is a damaged link: exit 3, as README says (it was 1).
    const damaged = await cli(['receive', `${stack.url}/s/${'A'.repeat(22)}#short`]);
    expect(damaged.code).toBe(3);
    expect(damaged.stderr).toMatch(/damaged/);
    const truncated = await cli(['receive', `${stack.url}/s/${'A'.repeat(22)}#${'A'.repeat(42)}`]);
    expect(truncated.code).toBe(3);
    const missing = await cli(['receive', `${stack.url}/s/${'A'.repeat(22)}`]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no key/);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/4 +not found, expired, revoked or exhausted/);
  });
});

describe('integrity', () => {
  it('a tampered stored object fails with exit 3 and leaves no file behind', async () => {
    const size = 3 * 16384 + 777; // a size no other test uses
    await writeRandomFile(w('tamper.bin'), size, 11);
    const s = await send([w('tamper.bin')]);
    const blobs = path.join(stack.persistDir, 'v3', 'r2');
    const find = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(path.join(d, e.name)) : [path.join(d, e.name)]));
    const blob = find(blobs).filter((f) => statSync(f).size === ciphertextSize(size));
    expect(blob).toHaveLength(1);
    const bytes = await readFile(blob[0]);
    bytes[56 + 16400 + 100] ^= 0x01; // one bit in chunk 1
    await writeFile(blob[0], bytes);

    const r = await cli(['receive', s.url, '-o', w('tamper-out')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/[Ii]ntegrity/);
    // Not even the output folder it made is left behind.
    expect(existsSync(w('tamper-out'))).toBe(false);
  });

  it('refuses manifests whose names escape the folder or hide their extension, writing nothing', async () => {
    const client = new SealdropClient(stack.url);
    const craft = async (name: string) => {
      const secret = generateLinkSecret();
      const keys = await deriveShareKeys(parseLinkSecret(secret), null);
      const data = utf8Encode('evil payload\n');
      const c = await client.createShare({ expiresIn: 3600, maxDownloads: 5, linkPub: b64uEncode(keys.linkPub), authPub: b64uEncode(keys.authPub), password: null, files: [{ size: ciphertextSize(data.length) }] });
      const ct = await encryptMessage(await keys.fileKey(0), data, { context: shareContext(c.id) });
      await client.putPart(c.id, c.ownerToken, 0, 0, ct);
      // sealManifest refuses such names, so build the padded JSON by hand as a hostile sender would.
      const json = utf8Encode(JSON.stringify({ v: 1, createdAt: new Date().toISOString(), files: [{ name, size: data.length, type: 'text/plain', sha256: await sha256Hex(data) }] }));
      const padded = new Uint8Array(Math.ceil(json.length / 4096) * 4096).fill(0x20);
      padded.set(json);
      const m = await encryptMessage(keys.manifestKey, padded, { context: shareContext(c.id) });
      await client.finalize(c.id, c.ownerToken, b64uEncode(m));
      return `${stack.url}/s/${c.id}#${secret}`;
    };
    await mkdir(w('trav', 'out'), { recursive: true });
    for (const name of ['../evil.txt', 'a/../../evil.txt', '/tmp/evil.txt', 'invoice\u202Efdp.exe', 'C:evil.txt', 'a\\..\\evil.txt']) {
      const link = await craft(name);
      const r = await cli(['receive', link, '-o', w('trav', 'out')]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/[Ii]nvalid manifest|Refusing/);
      // Still unspent: refused before the download.
      const info = await cli(['info', link]);
      expect(info.code).toBe(3);
    }
    expect(await listTree(w('trav'))).toEqual([]);
    expect(existsSync('/tmp/evil.txt')).toBe(false);
  });
});

describe('signatures in the manifest', () => {
  it('send --sign; receive --pubkey verifies, saves FILE.minisig that minisign accepts; a wrong key is exit 3 before download', async () => {
    expectOk(await cli(['keygen', '-W', '-p', w('ci.pub'), '-s', w('ci.key')]));
    expectOk(await cli(['keygen', '-W', '-p', w('other.pub'), '-s', w('other.key')]));
    await writeRandomFile(w('app.tar.gz'), 300_000, 5);
    const s = await send([w('app.tar.gz'), '--sign', w('ci.key'), '--downloads', '3']);
    const keyId = (await readFile(w('ci.pub'), 'utf8')).split('\n')[0].split(' ').pop();

    const info = JSON.parse((await cli(['info', s.url, '--json'])).stdout);
    expect(info.files[0].signedBy).toBe(keyId);

    const wrong = await cli(['receive', s.url, '-o', w('sig-wrong'), '--pubkey', w('other.pub')]);
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toContain(`signed by key id ${keyId}`);
    expect(existsSync(w('sig-wrong', 'app.tar.gz'))).toBe(false);

    const r = await cli(['receive', s.url, '-o', w('sig-out'), '--pubkey', w('ci.pub')]);
    expectOk(r);
    expect(r.stderr).toContain(`signed by key id ${keyId} (verified)`);
    expect(await sha256File(w('sig-out', 'app.tar.gz'))).toBe(s.files[0].sha256);
    expect(existsSync(w('sig-out', 'app.tar.gz.minisig'))).toBe(true);
    if (existsSync('/usr/bin/minisign')) {
      const v = await run('/usr/bin/minisign', ['-Vm', w('sig-out', 'app.tar.gz'), '-p', w('ci.pub')]);
      expect(v.code, v.stderr).toBe(0);
    }
    const v2 = await cli(['verify', w('sig-out', 'app.tar.gz'), '-p', w('ci.pub')]);
    expectOk(v2);

    // Without --pubkey: reported, not claimed as verified.
    const plain = await cli(['receive', s.url, '-o', w('sig-plain')]);
    expectOk(plain);
    expect(plain.stderr).toContain(`signed by key id ${keyId} (not verified`);

    // --pubkey on an unsigned share fails before the download.
    await writeFile(w('unsigned.txt'), 'x');
    const u = await send([w('unsigned.txt')]);
    const ur = await cli(['receive', u.url, '-o', w('unsigned-out'), '--pubkey', w('ci.pub')]);
    expect(ur.code).toBe(3);
    expect(ur.stderr).toMatch(/not signed/);
    expect(JSON.parse((await cli(['info', u.url, '--json'])).stdout).downloadsLeft).toBe(1);
  });
});

describe('admin', () => {
  it('lists shares, shows one, exports the log, mints tokens, revokes a token with its shares, revokes', async () => {
    await writeFile(w('admin.txt'), 'admin test\n');
    const s = await send([w('admin.txt')]);
    const aenv = { ...env(), SEALDROP_ADMIN_TOKEN: stack.adminToken, SEALDROP_SERVER: stack.url };
    const admin = (args: string[]) => runCli(['admin', ...args], { env: aenv });

    const list = await admin(['shares', '--json', '--all']);
    expectOk(list);
    expect(JSON.parse(list.stdout).shares.map((x: { id: string }) => x.id)).toContain(s.id);
    const table = await admin(['shares']);
    expectOk(table);
    expect(table.stdout).toContain(s.id);

    const show = await admin(['show', s.id, '--json']);
    expectOk(show);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: s.id, status: 'ready' });

    const csv = await admin(['log', '--format', 'csv', '--share', s.id]);
    expectOk(csv);
    expect(csv.stdout.split('\n')[0]).toMatch(/event/);
    expect(csv.stdout).toContain('create');
    const jsonl = await admin(['log', '--format', 'jsonl', '-o', w('log.jsonl')]);
    expectOk(jsonl);
    const lines = (await readFile(w('log.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();

    const created = await admin(['tokens', 'create', '--label', 'ci', '--scope', 'upload', '--expires', '1d', '--json']);
    expectOk(created);
    const tok = JSON.parse(created.stdout);
    expect(tok.token).toBeTruthy();
    expect((await admin(['tokens'])).stdout).toContain('ci');
    // A pipeline sends with the token; the token leaks; revoking it with
    // --revoke-shares takes what it sent too.
    const viaToken = await send([w('admin.txt'), '--token', tok.token]);
    const del = await admin(['tokens', 'delete', tok.id, '--revoke-shares']);
    expectOk(del);
    expect(del.stderr).toContain('1 live share(s)');
    expect((await cli(['receive', viaToken.url, '-o', w('leaked-out')])).code).toBe(4);
    expect(JSON.parse((await admin(['show', s.id, '--json'])).stdout).status).toBe('ready');

    expectOk(await admin(['revoke', s.id]));
    expect((await cli(['receive', s.url, '-o', w('admin-out')])).code).toBe(4);

    const noToken = await runCli(['admin', 'stats', '--server', stack.url], { env: env() });
    expect(noToken.code).toBe(1);
    const badToken = await runCli(['admin', 'stats', '--server', stack.url], { env: { ...env(), SEALDROP_ADMIN_TOKEN: 'wrong' } });
    expect(badToken.code).toBe(1);
  });
});
