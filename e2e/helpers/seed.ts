// Makes a real share from Node through the real API, exactly as a sender would:
// @sealdrop/crypto for keys, Cobblestone and the manifest, the shared client for
// HTTP, files uploaded in parts of the server's partBytes. Reused by other
// suites: keep it small and stable.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FileEncryptor,
  KDF_V1,
  b64uEncode,
  bytesSource,
  ciphertextSize,
  derivePasswordKey,
  encryptMessage,
  deriveShareKeys,
  generateLinkSecret,
  newPasswordSalt,
  parseLinkSecret,
  sealManifest,
  sha256Hex,
  shareContext,
} from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The server the Playwright config starts (E2E_PORT). */
export function e2eBase(): string {
  return `http://127.0.0.1:${process.env.E2E_PORT ?? 8790}`;
}

/** The bootstrap admin token scripts/start.mjs keeps in .dev.vars. */
export function adminToken(): string {
  const line = readFileSync(path.join(root, '.dev.vars'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('ADMIN_TOKEN='));
  if (!line) throw new Error('no ADMIN_TOKEN in .dev.vars (start the stack with scripts/start.mjs first)');
  return line.slice('ADMIN_TOKEN='.length).trim();
}

export interface SeedFile {
  name: string;
  bytes: Uint8Array;
  type?: string;
}

export interface SeedOptions {
  files: SeedFile[];
  password?: string;
  maxDownloads?: number;
  /** Seconds; default one hour. */
  expiresIn?: number;
  note?: string;
  /** Create the share with this upload token (Bearer), as a pipeline would. */
  uploadToken?: string;
  /** minisign signatures to put in the manifest, as DESIGN.md's `signatures`. */
  signatures?: { file: number; minisig: string }[];
  /**
   * A hostile sender: seal this manifest object as it is (JSON, padded), skipping
   * the sender-side rules, instead of the one made from `files`.
   */
  rawManifest?: (honest: object) => unknown;
  /** The share opens only with a partner download token carrying this label. */
  requireLabel?: string;
}

export interface Seeded {
  /** The full link, key fragment included. */
  url: string;
  id: string;
  ownerToken: string;
  /** S, as in the fragment. */
  secret: string;
}

/**
 * A seed is set-up, not the thing under test: a 503 that is not ours (the local
 * runtime's plain-text "restarted mid-request", seen once in CI on the suite's
 * first request) is tried again after a second, as a careful client would.
 */
async function whenUp<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const err = e as { status?: number; code?: string };
      if (err.status !== 503 || err.code === 'unavailable' || attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function seedShare(opts: SeedOptions, base = e2eBase()): Promise<Seeded> {
  const client = new SealdropClient(base);
  const secret = generateLinkSecret();
  let passwordKey: Uint8Array | null = null;
  let password = null;
  if (opts.password !== undefined) {
    const salt = newPasswordSalt();
    passwordKey = await derivePasswordKey(opts.password, salt);
    password = { salt: b64uEncode(salt), kdf: { ...KDF_V1 } };
  }
  const keys = await deriveShareKeys(parseLinkSecret(secret), passwordKey);
  const created = await whenUp(() => client.createShare({
    expiresIn: opts.expiresIn ?? 3600,
    maxDownloads: opts.maxDownloads ?? 5,
    linkPub: b64uEncode(keys.linkPub),
    authPub: b64uEncode(keys.authPub),
    password,
    files: opts.files.map((f) => ({ size: ciphertextSize(f.bytes.length) })),
    ...(opts.requireLabel ? { requireLabel: opts.requireLabel } : {}),
  }, opts.uploadToken));
  const { id, ownerToken, partBytes } = created;
  for (let i = 0; i < opts.files.length; i++) {
    const enc = await FileEncryptor.create(bytesSource(opts.files[i].bytes), await keys.fileKey(i), shareContext(id), partBytes);
    for (let n = 0; n < enc.partCount; n++) {
      const part = (await enc.makePart(n)).bytes;
      await whenUp(() => client.putPart(id, ownerToken, i, n, part));
    }
  }
  const manifest = {
    v: 1 as const,
    createdAt: new Date().toISOString(),
    files: await Promise.all(
      opts.files.map(async (f) => ({ name: f.name, size: f.bytes.length, type: f.type ?? 'application/octet-stream', sha256: await sha256Hex(f.bytes) })),
    ),
    ...(opts.note !== undefined ? { note: opts.note } : {}),
    ...(opts.signatures !== undefined ? { signatures: opts.signatures } : {}),
  };
  let sealed: Uint8Array;
  if (opts.rawManifest) {
    const json = new TextEncoder().encode(JSON.stringify(opts.rawManifest(manifest)));
    const padded = new Uint8Array(Math.ceil(json.length / 4096) * 4096).fill(0x20);
    padded.set(json);
    sealed = await encryptMessage(keys.manifestKey, padded, { context: shareContext(id) });
  } else sealed = await sealManifest(keys, id, manifest);
  await whenUp(() => client.finalize(id, ownerToken, b64uEncode(sealed)));
  return { url: `${base}/s/${id}#${secret}`, id, ownerToken, secret };
}

