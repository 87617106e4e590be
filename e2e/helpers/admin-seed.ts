// Seeding for the admin and "My links" tests, on top of helpers/seed.ts (real shares
// made from Node with @sealdrop/crypto and the shared client): the share's keys for
// downloads with a chosen User-Agent, wrong-password attempts, reports.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SealdropClient } from '@sealdrop/shared';
import { b64uDecode, deriveShareKeys, derivePasswordKey, parseLinkSecret, signAccess, utf8Encode, type ShareKeys } from '@sealdrop/crypto';
import { adminToken, e2eBase, seedShare } from './seed.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const baseUrl = e2eBase;
/** The bootstrap admin token that scripts/start.mjs wrote to .dev.vars. */
export const adminTokenFromDevVars = adminToken;

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
  uploadToken?: string;
}): Promise<SeededShare> {
  const maxDownloads = opts.maxDownloads ?? 5;
  const seeded = await withRateLimitRetry(() =>
    seedShare({
      files: opts.files.map((f) => ({ name: f.name, bytes: typeof f.data === 'string' ? utf8Encode(f.data) : f.data })),
      password: opts.password,
      maxDownloads,
      expiresIn: opts.expiresIn,
      uploadToken: opts.uploadToken,
    }),
  );
  // The recipient's view gives the expiry and the password salt; the keys come from S (and P).
  const info = await new SealdropClient(baseUrl()).shareInfo(seeded.id);
  const passwordKey = opts.password && info.password ? await derivePasswordKey(opts.password, b64uDecode(info.password.salt, 16)) : null;
  const keys = await deriveShareKeys(parseLinkSecret(seeded.secret), passwordKey);
  return { ...seeded, keys, files: opts.files.length, maxDownloads, expiresAt: info.expiresAt, hasPassword: !!opts.password };
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
