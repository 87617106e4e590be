// v1.1 from the terminal against the real local stack: send --to (keys and key
// files) prints a link without a secret that only the named identities open
// (receive --identity / SEALDROP_IDENTITY); a key it is not sealed to exits 3
// and uses no download; file requests end to end (new, send --request, list,
// receive, close) and a request link with a swapped fingerprint sends nothing.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseIdentityFile } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { openSealedShare, readManifest } from '@sealdrop/transfer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = (extra: Record<string, string> = {}) => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50', ...extra });
const cli = (args: string[], extra?: Record<string, string>) => runCli(args, { env: env(extra) });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
const keys: Record<string, string> = {};

async function identity(name: string) {
  const r = await cli(['identity', 'new', '-o', w(`${name}.key`)]);
  expectOk(r);
  keys[name] = r.stdout.trim();
}

beforeAll(async () => {
  work = await tempDir('recipients');
  await mkdir(w('in'));
  stack = await startStack();
  await Promise.all(['alice', 'bob', 'carol', 'team'].map(identity));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

describe('sealed shares', () => {
  let url = '';
  let id = '';

  it('send --to KEY --to FILE prints a link without a fragment that each identity opens', async () => {
    await writeRandomFile(w('in', 'build.tar'), 700_000);
    await writeFile(w('partners.txt'), `# partners\n${keys.bob}\n\n${keys.carol}\n`);
    const r = await cli(['send', w('in', 'build.tar'), '--server', stack.url, '--to', keys.alice, '--to', w('partners.txt'), '--downloads', '5', '--json']);
    expectOk(r);
    const out = JSON.parse(r.stdout) as { url: string; id: string };
    ({ url, id } = out);
    expect(url).toBe(`${stack.url}/s/${id}`);
    expect(url).not.toContain('#');
    const info = await new SealdropClient(stack.url).shareInfo(id);
    expect(info.recipients).toHaveLength(3);

    const got = await cli(['receive', url, '--identity', w('bob.key'), '-o', w('out-bob')]);
    expectOk(got);
    expect(await sha256File(w('out-bob', 'build.tar'))).toBe(await sha256File(w('in', 'build.tar')));
    // SEALDROP_IDENTITY names the file too.
    const viaEnv = await cli(['receive', url, '-o', w('out-alice')], { SEALDROP_IDENTITY: w('alice.key') });
    expectOk(viaEnv);
    expect(await sha256File(w('out-alice', 'build.tar'))).toBe(await sha256File(w('in', 'build.tar')));
  });

  it('the plain output says who can open the link', async () => {
    const r = await cli(['send', w('in', 'build.tar'), '--server', stack.url, '--to', keys.alice]);
    expectOk(r);
    expect(r.stdout.trim()).toMatch(new RegExp(`^${stack.url}/s/[A-Za-z0-9_-]{22}$`));
    expect(r.stderr).toMatch(/holds no secret: only the key [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4} [A-Za-z0-9_-]{4} opens it/);
  });

  it('an identity the share is not sealed to exits 3 with its own message and uses no download', async () => {
    const client = new SealdropClient(stack.url);
    const [alice] = parseIdentityFile(await readFile(w('alice.key'), 'utf8'));
    const left = async () => (await readManifest(await openSealedShare(client, id, [alice], async () => ''))).downloadsLeft;
    const before = await left();
    expect(before).toBe(3); // two receives above spent two of five
    const r = await cli(['receive', url, '--identity', w('team.key'), '-o', w('out-team')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/not sealed to any of your keys/);
    expect(await left()).toBe(before);
  });

  it('a fragment-less link without --identity is refused as a missing key (exit 3)', async () => {
    const r = await cli(['receive', url, '-o', w('out-none')]);
    expect(r.code).toBe(3);
  });

  it('a bad --to is a usage error naming it, and nothing is created', async () => {
    const r = await cli(['send', w('in', 'build.tar'), '--server', stack.url, '--to', `${keys.alice.slice(0, -2)}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--to KEY/);
    const missing = await cli(['send', w('in', 'build.tar'), '--server', stack.url, '--to', w('nope.txt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/neither a public key/);
  });
});

describe('file requests', () => {
  let req: { url: string; id: string; ownerToken: string; expiresAt: string };

  it('request new --json prints {url, id, ownerToken, expiresAt} with the fingerprint in the fragment', async () => {
    const r = await cli(['request', 'new', '--identity', w('team.key'), '--server', stack.url, '--expires', '1d', '--max-shares', '2', '--max-bytes', '20M', '--json']);
    expectOk(r);
    req = JSON.parse(r.stdout);
    expect(Object.keys(req).sort()).toEqual(['expiresAt', 'id', 'ownerToken', 'url']);
    expect(req.url).toMatch(new RegExp(`^${stack.url}/r/${req.id}#[A-Za-z0-9_-]{43}$`));
    const info = await new SealdropClient(stack.url).requestInfo(req.id);
    expect(info.recipient).toBe(keys.team);
    expect(info.sharesLeft).toBe(2);
    expect(info.bytesLeft).toBe(20 * 1024 * 1024);
  });

  it('send --request sends a share sealed to the requester; list shows it; receive --identity opens it', async () => {
    await writeRandomFile(w('in', 'vendor.log'), 300_000);
    const sent = await cli(['send', w('in', 'vendor.log'), '--request', req.url, '--downloads', '2', '--json']);
    expectOk(sent);
    const share = JSON.parse(sent.stdout) as { url: string; id: string };
    expect(share.url).toBe(`${stack.url}/s/${share.id}`);

    const list = await cli(['request', 'list', req.url, '--owner-token', req.ownerToken, '--json']);
    expectOk(list);
    const { shares } = JSON.parse(list.stdout) as { shares: { id: string; url: string; files: number }[] };
    expect(shares.map((s) => s.id)).toEqual([share.id]);
    expect(shares[0].url).toBe(share.url);

    const got = await cli(['receive', shares[0].url, '--identity', w('team.key'), '-o', w('out-req')]);
    expectOk(got);
    expect(await sha256File(w('out-req', 'vendor.log'))).toBe(await sha256File(w('in', 'vendor.log')));
    // The sender cannot open what they sent to the request without the team's key.
    const sender = await cli(['receive', share.url, '--identity', w('alice.key'), '-o', w('out-sender')]);
    expect(sender.code).toBe(3);
  });

  it('a request link with a swapped fingerprint exits 3 and sends nothing', async () => {
    const aliceFp = (await cli(['request', 'new', '--identity', w('alice.key'), '--server', stack.url, '--json'])).stdout;
    const fp = new URL(JSON.parse(aliceFp).url).hash;
    const swapped = req.url.replace(/#.*$/, fp);
    const r = await cli(['send', w('in', 'vendor.log'), '--request', swapped]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/fingerprint/);
    expect(r.stdout).toBe('');
    expect((await new SealdropClient(stack.url).requestInfo(req.id)).sharesLeft).toBe(1);
  });

  it('list refuses a wrong owner token; close ends the request and a later send exits 4', async () => {
    const wrong = await cli(['request', 'list', req.url, '--owner-token', 'x'.repeat(43)]);
    expect(wrong.code).toBe(1);
    const closed = await cli(['request', 'close', req.url, '--owner-token', req.ownerToken]);
    expectOk(closed);
    expect(closed.stderr).toMatch(/is closed/);
    const late = await cli(['send', w('in', 'vendor.log'), '--request', req.url]);
    expect(late.code, late.stderr).toBe(4);
    const list = await cli(['request', 'list', req.url, '--owner-token', req.ownerToken, '--json']);
    expectOk(list);
    expect(JSON.parse(list.stdout).shares).toHaveLength(1);
  });
});

