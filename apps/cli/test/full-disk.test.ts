// A disk that fills up for real: the stack's R2 blob store sits on a small tmpfs
// mounted in the stack's own private mount namespace (it vanishes with the
// stack; nothing outside sees it). A write that finds no room is a 503
// unavailable with Retry-After that says so, /api/health reports the storage as
// full, and a share stored before still reads and downloads byte-exact.

import path from 'node:path';
import { b64uEncode, ciphertextSize } from '@sealdrop/crypto';
import { ApiError } from '@sealdrop/shared/errors';
import { SealdropClient } from '@sealdrop/shared';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { sha256File, tempDir, writeRandomFile } from './helpers/files.ts';
import { canMountPrivately, startStack, type Stack } from './helpers/stack.ts';

const MIB = 1024 * 1024;
const mountable = canMountPrivately();
let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const env = () => ({ XDG_STATE_HOME: w('state'), SEALDROP_RETRY_BASE_MS: '50' });
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

describe.skipIf(!mountable)('a full disk', () => {
  beforeAll(async () => {
    work = await tempDir('full-disk');
    stack = await startStack({ r2TmpfsBytes: 24 * MIB });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await work?.cleanup();
  });

  it('refuses writes with 503 unavailable and Retry-After, health says so, and stored shares still download', async () => {
    const hash = await writeRandomFile(w('kept.bin'), 2 * MIB, 11);
    const sent = await runCli(['send', w('kept.bin'), '--server', stack.url, '--json', '--downloads', '2'], { env: env() });
    expectOk(sent);
    const kept = JSON.parse(sent.stdout) as { url: string; id: string };

    // Fill the store with single-part files of 8 MiB until a write finds no room.
    const client = new SealdropClient(stack.url);
    const size = ciphertextSize(8 * MIB);
    let refused: ApiError | null = null;
    for (let k = 0; k < 6 && !refused; k++) {
      const share = await client.createShare({
        expiresIn: 3600,
        maxDownloads: 1,
        linkPub: b64uEncode(ed25519.getPublicKey(ed25519.utils.randomSecretKey())),
        authPub: b64uEncode(ed25519.getPublicKey(ed25519.utils.randomSecretKey())),
        password: null,
        files: [{ size }],
      });
      try {
        await client.putPart(share.id, share.ownerToken, 0, 0, new Uint8Array(randomBytes(size)));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        refused = e;
      }
    }
    expect(refused, 'the 24 MiB store never filled up').not.toBeNull();
    expect(refused!.status).toBe(503);
    expect(refused!.code).toBe('unavailable');
    expect(refused!.message).toMatch(/run out of storage space; nothing was stored/);
    expect(refused!.retryAfter).toBeGreaterThan(0);

    const health = await fetch(`${stack.url}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, storage: 'full' });

    // Reads keep working: the share's page data, then a whole download.
    expect((await client.shareInfo(kept.id)).status).toBe('ready');
    const r = await runCli(['receive', kept.url, '-o', w('out')], { env: env() });
    expectOk(r);
    expect(await sha256File(w('out', 'kept.bin'))).toBe(hash);
  });
});
