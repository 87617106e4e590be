// Seeding for the admin and "My links" tests: real shares made from Node with the
// real protocol (@sealdrop/crypto + the shared API client), exactly as the CLI would.
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SealdropClient } from '@sealdrop/shared';
import {
  KDF_V1,
  b64uDecode,
  b64uEncode,
  deriveShareKeys,
  derivePasswordKey,
  encryptMessage,
  generateLinkSecret,
  newPasswordSalt,
  parseLinkSecret,
  sealManifest,
  sha256Hex,
  shareContext,
  signAccess,
  utf8Encode,
  ciphertextSize,
  type ShareKeys,
} from '@sealdrop/crypto';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function baseUrl(): string {
  return `http://127.0.0.1:${process.env.E2E_PORT ?? 8790}`;
}

/** The bootstrap admin token that scripts/start.mjs wrote to .dev.vars. */
export function adminTokenFromDevVars(): string {
  const line = readFileSync(path.join(root, '.dev.vars'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ADMIN_TOKEN='));
  if (!line) throw new Error('no ADMIN_TOKEN in .dev.vars');
  return line.slice('ADMIN_TOKEN='.length).trim();
}

/**
 * The server limits share creation per address (30 a minute); the whole e2e suite runs
 * from 127.0.0.1, so a seed that meets the limit waits it out once, as a careful client would.
 */
async function withRateLimitRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const err = e as { code?: string; retryAfter?: number };
      if (err.code !== 'rate_limited' || attempt >= 2) throw e;
      await new Promise((r) => setTimeout(r, Math.min(65, err.retryAfter ?? 60) * 1000));
    }
  }
}

export interface SeededShare {
  id: string;
  ownerToken: string;
  secret: string;
  url: string;
  keys: ShareKeys;
  files: number;
  maxDownloads: number;
  expiresAt: string;
  hasPassword: boolean;
}

export async function seedShareForAdmin(opts: {
  files: { name: string; data: string | Uint8Array }[];
  password?: string;
  maxDownloads?: number;
  expiresIn?: number;
  userAgent?: string;
}): Promise<SeededShare> {
  const base = baseUrl();
  const client = new SealdropClient(base, { headers: opts.userAgent ? { 'user-agent': opts.userAgent } : {} });
  const secret = generateLinkSecret();
  let passwordKey: Uint8Array | null = null;
  let password = null;
  if (opts.password) {
    const salt = newPasswordSalt();
    passwordKey = await derivePasswordKey(opts.password, salt);
    password = { salt: b64uEncode(salt), kdf: { ...KDF_V1 } };
  }
  const keys = await deriveShareKeys(parseLinkSecret(secret), passwordKey);
  const plain = opts.files.map((f) => (typeof f.data === 'string' ? utf8Encode(f.data) : f.data));
  const maxDownloads = opts.maxDownloads ?? 5;
  const created = await withRateLimitRetry(() => client.createShare({
    expiresIn: opts.expiresIn ?? 3600,
    maxDownloads,
    linkPub: b64uEncode(keys.linkPub),
    authPub: b64uEncode(keys.authPub),
    password,
    files: plain.map((p) => ({ size: ciphertextSize(p.length) })),
  }));
  const { id, ownerToken } = created;
  for (let i = 0; i < plain.length; i++) {
    const ct = await encryptMessage(await keys.fileKey(i), plain[i], { context: shareContext(id) });
    if (ct.length > created.partBytes) throw new Error('seed files must fit in one part');
    await client.putPart(id, ownerToken, i, 0, ct);
  }
  const manifest = {
    v: 1 as const,
    createdAt: new Date().toISOString(),
    files: await Promise.all(
      opts.files.map(async (f, i) => ({ name: f.name, size: plain[i].length, type: 'application/octet-stream', sha256: await sha256Hex(plain[i]) })),
    ),
  };
  const fin = await client.finalize(id, ownerToken, b64uEncode(await sealManifest(keys, id, manifest)));
  return {
    id,
    ownerToken,
    secret,
    url: `${base}/s/${id}#${secret}`,
    keys,
    files: plain.length,
    maxDownloads,
    expiresAt: fin.expiresAt,
    hasPassword: !!opts.password,
  };
}

/** Takes one download of a share through the API, as a recipient's browser would, with a chosen User-Agent. */
export async function downloadThroughApi(share: { id: string; keys: ShareKeys }, userAgent?: string) {
  const client = new SealdropClient(baseUrl(), { headers: userAgent ? { 'user-agent': userAgent } : {} });
  const info = await client.shareInfo(share.id);
  return client.download(share.id, signAccess(share.keys, 'download', share.id, info.challenge));
}

/** The HTTP status a recipient's first request (GET /api/shares/:id) gets, with the error code. */
export async function recipientStatus(id: string): Promise<{ status: number; code?: string }> {
  const r = await fetch(`${baseUrl()}/api/shares/${id}`);
  if (r.ok) return { status: r.status };
  const body = (await r.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: r.status, code: body.error?.code };
}

/** Screenshots are test artifacts; they are copied to docs/screenshots only with UPDATE_SCREENSHOTS=1 (they change every run). */
export async function saveToDocs(file: string, name: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const dir = path.join(root, 'docs', 'screenshots');
  await mkdir(dir, { recursive: true });
  await copyFile(file, path.join(dir, name));
}

/** One wrong-password attempt at a password share, as a recipient with the right link would make it. Returns the HTTP status. */
export async function wrongPasswordAttempt(share: { id: string; secret: string }, wrong = 'not the password'): Promise<number> {
  const client = new SealdropClient(baseUrl());
  const info = await client.shareInfo(share.id);
  if (!info.password) throw new Error('the share has no password');
  const keys = await deriveShareKeys(parseLinkSecret(share.secret), await derivePasswordKey(wrong, b64uDecode(info.password.salt, 16)));
  try {
    await client.manifest(share.id, signAccess(keys, 'manifest', share.id, info.challenge));
    return 200;
  } catch (e) {
    return (e as { status?: number }).status ?? 0;
  }
}

/** Reports a share, as anyone may. */
export async function reportShare(id: string, reason: string): Promise<number> {
  const r = await fetch(`${baseUrl()}/api/shares/${id}/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
  });
  return r.status;
}
