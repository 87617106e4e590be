// sealdrop send --label / --require-partner / --country / --network: the rules
// reach the real local stack through the engine and are enforced on receive.

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SealdropClient } from '@sealdrop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { env: { XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50', ...env } });

beforeAll(async () => {
  work = await tempDir('send-rules');
  stack = await startStack();
  await writeFile(w('artifact.txt'), 'release 2026-12\n');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

/** Sends artifact.txt with `flags`; returns the share's link and id. */
async function send(flags: string[]): Promise<{ url: string; id: string }> {
  const r = await cli(['send', w('artifact.txt'), '--server', stack.url, '--downloads', '3', '--json', '-q', ...flags]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { url: string; id: string };
  return out;
}

describe('send with partner and place rules', () => {
  it('--require-partner: a receive without a token is refused and spends nothing; a minted token carrying the label opens it', async () => {
    const admin = new SealdropClient(stack.url).admin(stack.adminToken);
    const share = await send(['--require-partner', 'partner:acme', '--label', 'release:2026-12']);
    const detail = await admin.share(share.id);
    expect(detail.requireLabel).toBe('partner:acme');
    expect(detail.labels).toContain('release:2026-12');

    const none = await cli(['receive', share.url, '-o', w('none')]);
    expect(none.code, none.stderr).toBe(1);
    expect(none.stderr).toMatch(/opens only with a partner token: give --token TOKEN or set SEALDROP_TOKEN/);
    expect(existsSync(w('none'))).toBe(false);
    expect((await admin.share(share.id)).downloadsUsed).toBe(0);

    const globex = await admin.createToken({ label: 'Globex', scope: 'download', expiresIn: 3600, labels: ['partner:globex'] });
    const wrong = await cli(['receive', share.url, '-o', w('wrong'), '--token', globex.token]);
    expect(wrong.code, wrong.stderr).toBe(3);
    expect((await admin.share(share.id)).downloadsUsed).toBe(0);

    const acme = await admin.createToken({ label: 'Acme', scope: 'download', expiresIn: 3600, labels: ['partner:acme'] });
    const ok = await cli(['receive', share.url, '-o', w('ok'), '--token', acme.token]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readFile(w('ok', 'artifact.txt'), 'utf8')).toBe('release 2026-12\n');
    expect((await admin.share(share.id)).downloadsUsed).toBe(1);
  });

  it('--network: loopback allowed opens, another network is refused; --country without a known country is refused', async () => {
    const admin = new SealdropClient(stack.url).admin(stack.adminToken);
    const lo = await send(['--network', '127.0.0.1/32', '--network', '::1/128']);
    const okNet = await cli(['receive', lo.url, '-o', w('net-ok')]);
    expect(okNet.code, okNet.stderr).toBe(0);
    expect(await readFile(w('net-ok', 'artifact.txt'), 'utf8')).toBe('release 2026-12\n');

    const far = await send(['--network', '10.0.0.0/8']);
    const refused = await cli(['receive', far.url, '-o', w('net-no')]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/cannot be opened from your country or network/);
    expect(existsSync(w('net-no'))).toBe(false);
    expect((await admin.share(far.id)).downloadsUsed).toBe(0);

    // The CLI sends no test country, so a country rule refuses this loopback client.
    const de = await send(['--country', 'de']);
    const noCountry = await cli(['receive', de.url, '-o', w('de')]);
    expect(noCountry.code, noCountry.stderr).toBe(3);
    expect(noCountry.stderr).toMatch(/cannot be opened from your country or network/);
    expect((await admin.share(de.id)).downloadsUsed).toBe(0);
  });

  it('bad rules are a usage error naming the flag, before anything is sent', async () => {
    const cases: [string[], RegExp][] = [
      [['--label', 'no-colon'], /--label \("no-colon"\): must be key:value/],
      [['--require-partner', 'Partner acme'], /--require-partner: must be key:value/],
      [['--country', 'Germany'], /--country \("GERMANY"\): must be an ISO 3166-1 alpha-2 code/],
      [['--label', 'a:b', '--label', 'a:b'], /--label: labels must not repeat/],
    ];
    const before = (await new SealdropClient(stack.url).admin(stack.adminToken).shares({})).shares.length;
    for (const [flags, message] of cases) {
      const r = await cli(['send', w('artifact.txt'), '--server', stack.url, '-q', ...flags]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect((await new SealdropClient(stack.url).admin(stack.adminToken).shares({})).shares.length).toBe(before);
  });
});
