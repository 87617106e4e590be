// The shares table, its derived status, and purging a share's objects.
import type { AdminShare, ShareStatus } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { b64uEncode, randomBytes } from '@sealdrop/crypto';
import { Fail } from './errors.ts';
import { labelFields, parseLabels } from './labels.ts';
import { isoOrNull, iso } from './time.ts';

/** Stored status; the wire status (ShareStatus) is derived from it and the counters. */
export type StoredStatus = 'uploading' | 'ready' | 'revoked' | 'abandoned';

export interface ShareRow {
  id: string;
  status: StoredStatus;
  created_at: number;
  expires_in: number;
  expires_at: number | null;
  finalized_at: number | null;
  revoked_at: number | null;
  purged_at: number | null;
  max_downloads: number;
  downloads_used: number;
  last_grant_expires_at: number;
  link_pub: string | null;
  auth_pub: string | null;
  pw_salt: string | null;
  kdf: string | null;
  has_password: number;
  owner_hash: string;
  token_id: string | null;
  bytes: number;
  file_count: number;
  part_bytes: number;
  manifest_hash: string | null;
  wrong_passwords: number;
  wp_hour: number;
  wp_hour_count: number;
  wp_day: number;
  wp_day_count: number;
  // Partner access and place rules (migration 0008, lib/partner.ts, lib/places.ts).
  labels: string;
  require_label: string | null;
  countries: string | null;
  networks: string | null;
  /** v1.1: JSON of the stanzas as finalize received them, or null. */
  recipients: string | null;
  /** v1.1: the file request it was sent to, or null. */
  request_id: string | null;
  /** Migration 0009: JSON array of published SHA-256s (one per file), '[]' before finalize, NULL when not published. */
  sha256s?: string | null;
  /** Migration 0004: the note recipients see on a revoked share. */
  advisory?: string | null;
}

/** The published SHA-256s as stored (a JSON array of strings), or [] when none. */
export function parsePublished(stored: string | null | undefined): string[] {
  return parseLabels(stored);
}

/** `{sha256}` for an API object, only when the sender published them. */
export function publishedFields(stored: string | null | undefined): { sha256?: string[] } {
  const h = parsePublished(stored);
  return h.length ? { sha256: h } : {};
}

export const newShareId = (): string => b64uEncode(randomBytes(16));

export const objectKey = (id: string, file: number | 'manifest'): string => `shares/${id}/${file}`;

export function wireStatus(s: ShareRow, t: number): ShareStatus {
  switch (s.status) {
    case 'uploading':
      return 'uploading';
    case 'revoked':
      return 'revoked';
    case 'abandoned':
      return 'deleted';
    case 'ready':
      if ((s.expires_at ?? 0) <= t) return 'expired';
      if (s.downloads_used >= s.max_downloads) return 'exhausted';
      return 'ready';
  }
}

/** SQL for a wire status (the admin list filter); `?now` is bound by the caller. */
export const STATUS_SQL: Record<ShareStatus, string> = {
  uploading: `status = 'uploading'`,
  ready: `status = 'ready' AND expires_at > ?1 AND downloads_used < max_downloads`,
  expired: `status = 'ready' AND expires_at <= ?1`,
  exhausted: `status = 'ready' AND expires_at > ?1 AND downloads_used >= max_downloads`,
  revoked: `status = 'revoked'`,
  deleted: `status = 'abandoned'`,
};

export async function loadShare(env: Env, id: string): Promise<ShareRow | null> {
  return env.DB.prepare('SELECT * FROM shares WHERE id = ?').bind(id).first<ShareRow>();
}

/**
 * The share as recipients see it: 404 unless finalized, 410 when revoked,
 * expired or exhausted.
 */
export function requireLive(s: ShareRow | null, t: number): ShareRow {
  if (!s || s.status === 'uploading' || s.status === 'abandoned') throw new Fail('not_found', 'no such share');
  const st = wireStatus(s, t);
  if (st === 'revoked') throw new Fail('revoked', 'this share was revoked', undefined, undefined, s.advisory ?? undefined);
  if (st === 'expired') throw new Fail('expired', 'this share has expired');
  if (st === 'exhausted') throw new Fail('exhausted', 'this share has no downloads left');
  return s;
}

export interface AdminShareRow extends ShareRow {
  report_count: number;
}

export function toAdminShare(s: AdminShareRow, t: number): AdminShare {
  return {
    id: s.id,
    status: wireStatus(s, t),
    createdAt: iso(s.created_at),
    expiresAt: isoOrNull(s.expires_at),
    bytes: s.bytes,
    files: s.file_count,
    maxDownloads: s.max_downloads,
    downloadsUsed: s.downloads_used,
    hasPassword: s.has_password === 1,
    wrongPasswords: s.wrong_passwords,
    reportCount: s.report_count,
    // Only when set, so shares without partner rules look as before.
    ...labelFields(s.labels),
    ...(s.require_label ? { requireLabel: s.require_label } : {}),
    ...publishedFields(s.sha256s),
  };
}

/** Delete every object under shares/<id>/ (R2 lists at most 1000 keys a page). */
export async function deleteObjects(env: Env, id: string): Promise<number> {
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await env.BUCKET.list({ prefix: `shares/${id}/`, cursor, limit: 1000 });
    if (page.objects.length) {
      await env.BUCKET.delete(page.objects.map((o) => o.key));
      deleted += page.objects.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}

/** Abort every multipart upload of the share that was not completed. */
export async function abortUploads(env: Env, id: string): Promise<void> {
  const { results } = await env.DB.prepare(
    'SELECT idx, upload_id FROM files WHERE share_id = ? AND upload_id IS NOT NULL AND completed = 0',
  )
    .bind(id)
    .all<{ idx: number; upload_id: string }>();
  for (const f of results) {
    try {
      await env.BUCKET.resumeMultipartUpload(objectKey(id, f.idx), f.upload_id).abort();
    } catch {
      // Already aborted or completed: nothing left to free.
    }
  }
}

/**
 * The states a share never leaves, in which its objects may go: revoked, abandoned,
 * expired, or exhausted with no live grant (`?2` is now). A late part re-send or a
 * sweep that lost a race to finalize must not purge a live share.
 */
const PURGEABLE_SQL = `(status IN ('revoked', 'abandoned')
  OR (status = 'ready' AND (expires_at <= ?2 OR (downloads_used >= max_downloads AND last_grant_expires_at <= ?2))))`;

/**
 * Remove what a dead share holds: abort open uploads, delete its objects, wipe
 * its public keys, password salt and stanzas (the row stays for the log), release its
 * quota reservation. Idempotent; `purged_at` records that it ran to the end.
 * `extra` statements (a log row) join the final batch. About six binding calls.
 * Refuses (false) a share that is not in a purgeable state.
 */
export async function purgeShare(env: Env, id: string, t: number, extra: D1PreparedStatement[] = []): Promise<boolean> {
  const dead = await env.DB.prepare(`SELECT 1 AS dead FROM shares WHERE id = ?1 AND ${PURGEABLE_SQL}`).bind(id, t).first();
  if (!dead) return false;
  await abortUploads(env, id);
  await deleteObjects(env, id);
  await env.DB.batch([
    ...extra,
    env.DB.prepare(
      `UPDATE quota SET reserved = MAX(0, reserved - COALESCE(
         (SELECT bytes FROM shares WHERE id = ?1 AND quota_released = 0), 0)) WHERE id = 1`,
    ).bind(id),
    env.DB.prepare(
      `UPDATE shares SET quota_released = 1, link_pub = NULL, auth_pub = NULL, pw_salt = NULL, kdf = NULL, recipients = NULL,
         purged_at = COALESCE(purged_at, ?2) WHERE id = ?1`,
    ).bind(id, t),
    env.DB.prepare('DELETE FROM parts WHERE share_id = ?').bind(id),
    env.DB.prepare('DELETE FROM backoff WHERE share_id = ?').bind(id),
  ]);
  return true;
}
