// minisign interoperability, both ways, with Debian's minisign binary: keys,
// signatures (prehashed "ED" and legacy "Ed"), trusted comments, and secret keys
// encrypted with a password (minisign reads it from stdin when it is not a terminal).

import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSignature, keyId, parsePublicKeyFile, parseSecretKeyFile, parseSignature } from '../src/minisign/format.ts';
import { MEMLIMIT_SENSITIVE, OPSLIMIT_SENSITIVE, scryptParams } from '../src/minisign/keys.ts';
import { run, runCli } from './helpers/cli.ts';

const MINISIGN = '/usr/bin/minisign';
const haveMinisign = existsSync(MINISIGN);
let dir: string;
const p = (f: string) => path.join(dir, f);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sealdrop-minisign-'));
  // A file of a few chunks with every byte value.
  const data = Buffer.alloc(200_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 8)) & 0xff;
  await writeFile(p('artifact.bin'), data);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('formats', () => {
  it('turns minisign opslimit/memlimit into scrypt N, r, p like libsodium', () => {
    expect(scryptParams(OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE)).toEqual({ N: 2 ** 20, r: 8, p: 1 });
    // The interactive limits: opslimit 524288 < memlimit/32 → N from the CPU limit.
    expect(scryptParams(524288n, 16777216n)).toEqual({ N: 2 ** 14, r: 8, p: 1 });
  });

  it('prints key ids as minisign does (keynum as little-endian u64)', () => {
    expect(keyId(Uint8Array.from([0x76, 0x99, 0x74, 0xad, 0x54, 0xb3, 0x6c, 0x3f]))).toBe('3F6CB354AD749976');
  });
});

describe.skipIf(!haveMinisign)('interop with minisign', () => {
  it('our keys and signatures verify with minisign -V, byte-exact file formats', async () => {
    const gen = await runCli(['keygen', '-W', '-p', p('ours.pub'), '-s', p('ours.key')]);
    expect(gen.code, gen.stderr).toBe(0);
    const pubText = await readFile(p('ours.pub'), 'utf8');
    const pub = parsePublicKeyFile(pubText);
    expect(pubText).toMatch(new RegExp(`^untrusted comment: minisign public key ${keyId(pub.keynum)}\\nRW[A-Za-z0-9+/]{54}\\n$`));
    const sec = parseSecretKeyFile(await readFile(p('ours.key'), 'utf8'));
    expect(sec.kdf).toBe('none');
    expect((await import('node:fs')).statSync(p('ours.key')).mode & 0o777).toBe(0o600);

    const signed = await runCli(['sign', p('artifact.bin'), '-s', p('ours.key'), '-t', 'release 1.2.3']);
    expect(signed.code, signed.stderr).toBe(0);
    const sigText = await readFile(p('artifact.bin.minisig'), 'utf8');
    const sig = parseSignature(sigText);
    expect(sig.alg).toBe('ED');
    expect(sigText.split('\n')[0]).toBe('untrusted comment: signature from minisign secret key');
    expect(sigText.split('\n')[2]).toBe('trusted comment: release 1.2.3');
    expect(formatSignature(sig)).toBe(sigText);

    const v = await run(MINISIGN, ['-Vm', p('artifact.bin'), '-p', p('ours.pub')]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('Trusted comment: release 1.2.3');
    // Our own verifier agrees.
    const own = await runCli(['verify', p('artifact.bin'), '-p', p('ours.pub')]);
    expect(own.code, own.stderr).toBe(0);
    // A key minisign -W made (unencrypted) signs with sealdrop, and minisign signs with ours.
    const ms = await run(MINISIGN, ['-Sm', p('artifact.bin'), '-s', p('ours.key'), '-x', p('by-minisign.sig')]);
    expect(ms.code, ms.stderr).toBe(0);
    const own2 = await runCli(['verify', p('artifact.bin'), '-p', p('ours.pub'), '-x', p('by-minisign.sig')]);
    expect(own2.code, own2.stderr).toBe(0);
  });

  it("minisign's keys and signatures (prehashed and legacy) verify with sealdrop verify", async () => {
    const g = await run(MINISIGN, ['-G', '-W', '-p', p('theirs.pub'), '-s', p('theirs.key')]);
    expect(g.code, g.stderr).toBe(0);
    const s = await run(MINISIGN, ['-Sm', p('artifact.bin'), '-s', p('theirs.key'), '-x', p('theirs.sig'), '-t', 'from minisign']);
    expect(s.code, s.stderr).toBe(0);
    const v = await runCli(['verify', p('artifact.bin'), '-p', p('theirs.pub'), '-x', p('theirs.sig')]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('Trusted comment: from minisign');

    const legacy = await run(MINISIGN, ['-Sl', '-m', p('artifact.bin'), '-s', p('theirs.key'), '-x', p('legacy.sig')]);
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(parseSignature(await readFile(p('legacy.sig'), 'utf8')).alg).toBe('Ed');
    const lv = await runCli(['verify', p('artifact.bin'), '-P', (await readFile(p('theirs.pub'), 'utf8')).split('\n')[1], '-x', p('legacy.sig')]);
    expect(lv.code, lv.stderr).toBe(0);

    // sealdrop sign with minisign's key; minisign verifies it.
    const ours = await runCli(['sign', p('artifact.bin'), '-s', p('theirs.key'), '-x', p('ours-with-theirs.sig')]);
    expect(ours.code, ours.stderr).toBe(0);
    const mv = await run(MINISIGN, ['-Vm', p('artifact.bin'), '-p', p('theirs.pub'), '-x', p('ours-with-theirs.sig')]);
    expect(mv.code, mv.stderr).toBe(0);
  });

  it('a changed file, an altered trusted comment or the wrong key fails both tools', async () => {
    await writeFile(p('changed.bin'), await readFile(p('artifact.bin')));
    await runCli(['sign', p('changed.bin'), '-s', p('ours.key')]);
    await appendFile(p('changed.bin'), 'x');
    const a = await runCli(['verify', p('changed.bin'), '-p', p('ours.pub')]);
    expect(a.code).toBe(3);
    expect(a.stderr).toMatch(/does not match its signature/);
    const b = await run(MINISIGN, ['-Vm', p('changed.bin'), '-p', p('ours.pub')]);
    expect(b.code).not.toBe(0);

    const sigText = await readFile(p('artifact.bin.minisig'), 'utf8');
    await writeFile(p('comment.sig'), sigText.replace('trusted comment: release 1.2.3', 'trusted comment: release 9.9.9'));
    expect((await runCli(['verify', p('artifact.bin'), '-p', p('ours.pub'), '-x', p('comment.sig')])).code).toBe(3);
    expect((await run(MINISIGN, ['-Vm', p('artifact.bin'), '-p', p('ours.pub'), '-x', p('comment.sig')])).code).not.toBe(0);

    const wrongKey = await runCli(['verify', p('artifact.bin'), '-p', p('theirs.pub')]);
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr).toMatch(/key id/);
  });

  it('password-encrypted secret keys work both ways (scrypt exactly as minisign)', async () => {
    const password = 'correct hörse battery';
    await writeFile(p('pw.txt'), `${password}\n`);
    // Ours, used by minisign -S (it reads the password from stdin).
    const gen = await runCli(['keygen', '-p', p('enc.pub'), '-s', p('enc.key'), '--password-file', p('pw.txt')]);
    expect(gen.code, gen.stderr).toBe(0);
    const sec = parseSecretKeyFile(await readFile(p('enc.key'), 'utf8'));
    expect(sec.kdf).toBe('Sc');
    expect([sec.opslimit, sec.memlimit]).toEqual([OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE]);
    const ms = await run(MINISIGN, ['-Sm', p('artifact.bin'), '-s', p('enc.key'), '-x', p('enc-ms.sig')], { input: `${password}\n` });
    expect(ms.code, ms.stderr).toBe(0);
    expect((await runCli(['verify', p('artifact.bin'), '-p', p('enc.pub'), '-x', p('enc-ms.sig')])).code).toBe(0);

    // minisign's, used by sealdrop sign.
    const g = await run(MINISIGN, ['-G', '-p', p('menc.pub'), '-s', p('menc.key')], { input: `${password}\n${password}\n` });
    expect(g.code, g.stderr).toBe(0);
    const s = await runCli(['sign', p('artifact.bin'), '-s', p('menc.key'), '--password-file', p('pw.txt'), '-x', p('menc.sig')]);
    expect(s.code, s.stderr).toBe(0);
    expect((await run(MINISIGN, ['-Vm', p('artifact.bin'), '-p', p('menc.pub'), '-x', p('menc.sig')])).code).toBe(0);

    await writeFile(p('bad.txt'), 'not the password\n');
    const bad = await runCli(['sign', p('artifact.bin'), '-s', p('menc.key'), '--password-file', p('bad.txt'), '-x', p('never.sig')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/wrong password/);
    expect(existsSync(p('never.sig'))).toBe(false);
  });
});
