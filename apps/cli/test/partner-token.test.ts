// receive --token / SEALDROP_TOKEN: a share that requires a partner download
// token, against the real local stack.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  b64uEncode,
  ciphertextSize,
  deriveShareKeys,
  encryptMessage,
  generateLinkSecret,
  parseLinkSecret,
  sealManifest,
  sha256Hex,
  shareContext,
  utf8Encode,
} from '@sealdrop/crypto';
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
  work = await tempDir('partner');
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

/** A one-file share that opens only with a download token carrying `label`. */
async function partnerShare(label: string, data: Uint8Array): Promise<string> {
  const client = new SealdropClient(stack.url);
  const secret = generateLinkSecret();
  const keys = await deriveShareKeys(parseLinkSecret(secret), null);
  const c = await client.createShare({
    expiresIn: 3600,
    maxDownloads: 5,
    linkPub: b64uEncode(keys.linkPub),
    authPub: b64uEncode(keys.authPub),
    password: null,
    files: [{ size: ciphertextSize(data.length) }],
    requireLabel: label,
  });
  await client.putPart(c.id, c.ownerToken, 0, 0, await encryptMessage(await keys.fileKey(0), data, { context: shareContext(c.id) }));
  const manifest = await sealManifest(keys, c.id, {
    v: 1,
    createdAt: new Date().toISOString(),
    files: [{ name: 'artifact.bin', size: data.length, type: 'application/octet-stream', sha256: await sha256Hex(data) }],
  });
  await client.finalize(c.id, c.ownerToken, b64uEncode(manifest));
  return `${stack.url}/s/${c.id}#${secret}`;
}

describe('receive with a partner token', () => {
  it('needs --token or SEALDROP_TOKEN; a wrong or revoked token is refused; nothing is written without one', async () => {
    const admin = new SealdropClient(stack.url).admin(stack.adminToken);
    const acme = await admin.createToken({ label: 'Acme', scope: 'download', expiresIn: 3600, labels: ['partner:acme'] });
    const globex = await admin.createToken({ label: 'Globex', scope: 'download', expiresIn: 3600, labels: ['partner:globex'] });
    const data = utf8Encode('release 2026-12\n');
    const link = await partnerShare('partner:acme', data);

    const none = await cli(['receive', link, '-o', w('none')]);
    expect(none.code, none.stderr).toBe(1);
    expect(none.stderr).toMatch(/partner token: give --token TOKEN or set SEALDROP_TOKEN/);
    expect(existsSync(w('none'))).toBe(false);

    const wrong = await cli(['receive', link, '-o', w('wrong'), '--token', globex.token]);
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toMatch(/refused the partner token/);
    expect(existsSync(w('wrong'))).toBe(false);

    const flag = await cli(['receive', link, '-o', w('flag'), '--token', acme.token]);
    expect(flag.code, flag.stderr).toBe(0);
    expect(await readFile(w('flag', 'artifact.bin'), 'utf8')).toBe('release 2026-12\n');
    // The token is a secret: never echoed.
    expect(flag.stderr + flag.stdout).not.toContain(acme.token);

    const fromEnv = await cli(['receive', link, '-o', w('env')], { SEALDROP_TOKEN: acme.token });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(await readFile(w('env', 'artifact.bin'), 'utf8')).toBe('release 2026-12\n');

    await admin.deleteToken(acme.id);
    const revoked = await cli(['receive', link, '-o', w('revoked'), '--token', acme.token]);
    expect(revoked.code, revoked.stderr).toBe(3);
    expect(revoked.stderr).toMatch(/refused the partner token/);
    expect(existsSync(w('revoked'))).toBe(false);
  });
});
