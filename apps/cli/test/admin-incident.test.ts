// sealdrop admin's incident response against the real local stack: revoke by
// scope (count first), advisories the recipient's CLI shows, the freeze switch
// the sender's CLI reports, token hygiene, failed sign-ins, log paging, the kill switch.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const cli = (args: string[]) => runCli(args, { env: env() });
const admin = (args: string[]) => runCli(['admin', ...args], { env: { ...env(), SEALDROP_ADMIN_TOKEN: stack.adminToken, SEALDROP_SERVER: stack.url } });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

async function send(extra: string[] = []) {
  const r = await cli(['send', w('file.txt'), '--server', stack.url, '--json', ...extra]);
  expectOk(r);
  return JSON.parse(r.stdout) as { url: string; id: string };
}

beforeAll(async () => {
  work = await tempDir('admin-incident');
  await writeFile(w('file.txt'), 'incident drill\n');
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

describe('sealdrop admin incident response', () => {
  it('revokes by token label after showing the count, with an advisory the recipient reads', async () => {
    const tok = JSON.parse((await admin(['tokens', 'create', '--label', 'ci-drill', '--scope', 'upload', '--expires', '1d', '--json'])).stdout);
    const leaked = await send(['--token', tok.token]);
    const other = await send();

    const dry = await admin(['revoke', '--scope', 'label', '--label', 'ci-drill']);
    expectOk(dry);
    expect(dry.stdout).toContain('Would revoke 1 live share');
    expect(JSON.parse((await admin(['show', leaked.id, '--json'])).stdout).status).toBe('ready');

    const run = await admin(['revoke', '--scope', 'label', '--label', 'ci-drill', '--advisory', 'Compromised build; use 1.4.3', '--yes']);
    expectOk(run);
    expect(run.stdout).toContain('Revoked 1 share');
    const got = await cli(['receive', leaked.url, '-o', w('out-leaked')]);
    expect(got.code).toBe(4);
    expect(got.stderr).toContain('Compromised build; use 1.4.3');
    expect(JSON.parse((await admin(['show', other.id, '--json'])).stdout).status).toBe('ready');

    // The token list shows when it was last used and what it made.
    const list = JSON.parse((await admin(['tokens', '--json'])).stdout).find((t: { id: string }) => t.id === tok.id);
    expect(list).toMatchObject({ shares: 1, createdBy: 'bootstrap' });
    expect(list.lastUsedAt).toBeTruthy();
    const tableOut = (await admin(['tokens'])).stdout;
    expect(tableOut).toContain('last used');

    // An advisory on a share that is still live is refused; once revoked, it is shown.
    expect((await admin(['advisory', other.id, 'too early'])).code).not.toBe(0);
    expectOk(await admin(['revoke', other.id]));
    expectOk(await admin(['advisory', other.id, 'Sent by mistake; ask Ana for the new link']));
    expect((await cli(['receive', other.url, '-o', w('out-other')])).stderr).toContain('Sent by mistake; ask Ana for the new link');
  });

  it('the owner revokes with an advisory; the recipient reads it instead of "revoked"', async () => {
    const r = await cli(['send', w('file.txt'), '--server', stack.url, '--json']);
    expectOk(r);
    const s = JSON.parse(r.stdout) as { url: string; id: string; ownerToken: string };
    const rv = await runCli(['revoke', s.url, '--advisory', 'Wrong file \u001b[31mred\u001b[0m; ask me again'], { env: { ...env(), SEALDROP_OWNER_TOKEN: s.ownerToken } });
    expectOk(rv);
    const got = await cli(['receive', s.url, '-o', w('out-owner')]);
    expect(got.code).toBe(4);
    expect(got.stderr).toContain('Notice: Wrong file');
    expect(got.stderr).not.toContain('\u001b');
  });

  it('freezes and unfreezes: send fails with the reason, stats show it', async () => {
    const f = await admin(['freeze', 'Maintenance until 14:00 UTC']);
    expectOk(f);
    expect(f.stdout).toContain('Frozen since');
    const refused = await cli(['send', w('file.txt'), '--server', stack.url]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Maintenance until 14:00 UTC');
    const stats = await admin(['stats']);
    expect(stats.stdout).toContain('Frozen since');
    expect((await admin(['freeze'])).stdout).toContain('Maintenance until 14:00 UTC');
    expectOk(await admin(['unfreeze']));
    expect((await admin(['freeze'])).stdout).toContain('Not frozen');
    await send();
  });

  it('counts failed sign-ins and pages the log', async () => {
    const before = JSON.parse((await admin(['stats', '--json'])).stdout).failedAdminSignIns24h;
    for (let i = 0; i < 3; i++) {
      const bad = await runCli(['admin', 'stats', '--server', stack.url], { env: { ...env(), SEALDROP_ADMIN_TOKEN: `wrong-token-${i}` } });
      expect(bad.code).toBe(1);
    }
    const stats = await admin(['stats']);
    expect(stats.stdout).toContain(`Failed admin sign-ins (24 h): ${before + 3}`);

    const page = await admin(['log', '--limit', '2', '--json']);
    expectOk(page);
    expect(JSON.parse(page.stdout)).toHaveLength(2);
    const cursor = /--before (\d+)/.exec(page.stderr)?.[1];
    expect(cursor).toBeTruthy();
    const next = JSON.parse((await admin(['log', '--limit', '2', '--before', cursor!, '--json'])).stdout);
    expect(next[0].id).toBeLessThan(Number(cursor) + 1);
    expect(next[0].id).toBeLessThan(JSON.parse(page.stdout)[1].id);
    const all = JSON.parse((await admin(['log', '--limit', '50', '--all', '--json'])).stdout);
    expect(new Set(all.map((r: { id: number }) => r.id)).size).toBe(all.length);
    expect(all.some((r: { outcome: string }) => r.outcome === 'unauthorized')).toBe(true);
  });

  it('the kill switch with --tokens revokes every share and token, and a repeat is safe', async () => {
    const tok = JSON.parse((await admin(['tokens', 'create', '--label', 'ci-kill', '--scope', 'upload', '--expires', '1d', '--json'])).stdout);
    const s = await send(['--token', tok.token]);
    expect((await admin(['revoke-all', '--tokens'])).code).toBe(1);
    const r = await admin(['revoke-all', '--yes', '--tokens']);
    expectOk(r);
    expect(r.stdout).toMatch(/Revoked [1-9]\d* shares?, ended \d+ download grants?, revoked [1-9]\d* API tokens? and \d+ partner download tokens?/);
    expect((await cli(['receive', s.url, '-o', w('out-kill')])).code).toBe(4);
    expect((await cli(['send', w('file.txt'), '--server', stack.url, '--token', tok.token])).code).not.toBe(0);
    const again = await admin(['revoke-all', '--yes', '--json']);
    expectOk(again);
    expect(JSON.parse(again.stdout)).toMatchObject({ revoked: 0, grantsEnded: 0 });
  });
});
