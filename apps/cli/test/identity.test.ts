// sealdrop identity new / pub, run as a user would (the real CLI in a child process):
// a 0600 file that packages/crypto parses, its public key on stdout, refusal to
// overwrite without --force, and clear usage errors for damaged files.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseIdentityFile, parseRecipient } from '@sealdrop/crypto';
import { runCli } from './helpers/cli.ts';

let dir: string;
const p = (f: string) => path.join(dir, f);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealdrop-identity-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sealdrop identity', () => {
  test('new -o FILE writes a 0600 identity file and prints its public key; pub FILE prints it again', async () => {
    const made = await runCli(['identity', 'new', '-o', p('me.key')]);
    expect(made.code, made.stderr).toBe(0);
    const pub = made.stdout.trim();
    expect(pub).toMatch(/^sealdrop-pq1:[A-Za-z0-9_-]{1622}$/);
    expect(made.stderr).toMatch(/keep it secret/);
    expect(made.stderr).toMatch(/Fingerprint: [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4}\n/);
    expect((await stat(p('me.key'))).mode & 0o777).toBe(0o600);
    const text = await readFile(p('me.key'), 'utf8');
    expect(text).toMatch(/^# created: \d{4}-\d\d-\d\dT/);
    expect(text).toContain(`# public key: ${pub}\n`);
    const [identity] = parseIdentityFile(text);
    expect(identity.recipient.text).toBe(pub);
    expect(parseRecipient(pub).fingerprint).toBe(identity.recipient.fingerprint);
    // The secret never reaches stdout.
    expect(made.stdout).not.toContain('SEALDROP-SECRET-KEY-1:');

    const again = await runCli(['identity', 'pub', p('me.key')]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`${pub}\n`);
  });

  test('refuses to overwrite without --force; --force makes a new key and keeps 0600', async () => {
    await runCli(['identity', 'new', '-o', p('keep.key')]);
    const before = await readFile(p('keep.key'), 'utf8');
    const refused = await runCli(['identity', 'new', '-o', p('keep.key')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(p('keep.key'), 'utf8')).toBe(before);
    const forced = await runCli(['identity', 'new', '-o', p('keep.key'), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(p('keep.key'), 'utf8')).not.toBe(before);
    expect((await stat(p('keep.key'))).mode & 0o777).toBe(0o600);
    // Even over a world-readable file.
    await writeFile(p('open.key'), 'x', { mode: 0o644 });
    expect((await runCli(['identity', 'new', '-o', p('open.key'), '--force'])).code).toBe(0);
    expect((await stat(p('open.key'))).mode & 0o777).toBe(0o600);
  });

  test('usage errors: no -o, unknown subcommand, a damaged or missing file (named with its line)', async () => {
    expect((await runCli(['identity', 'new'])).stderr).toMatch(/needs -o FILE/);
    const unknown = await runCli(['identity', 'make']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown identity command "make"/);
    await runCli(['identity', 'new', '-o', p('cut.key')]);
    const lines = (await readFile(p('cut.key'), 'utf8')).split('\n');
    await writeFile(p('cut.key'), [lines[0], lines[1], lines[2].slice(0, -1), ''].join('\n'));
    const damaged = await runCli(['identity', 'pub', p('cut.key')]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/is not a Sealdrop identity file\. Line 3: .*43 characters.*this one has 42/);
    await writeFile(p('pub-only.txt'), `${lines[1].replace('# public key: ', '')}\n`);
    expect((await runCli(['identity', 'pub', p('pub-only.txt')])).stderr).toMatch(/Line 1: The identity must start with "SEALDROP-SECRET-KEY-1:"/);
    const missing = await runCli(['identity', 'pub', p('nope.key')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such file/);
    expect((await runCli(['identity', '--help'])).stdout).toMatch(/identity new -o FILE/);
  });
});
