// File requests (docs/PROTOCOL.md §6): the requests table, its derived status,
// and what the owner and admins see of the shares sent to it.
import { SHARE_ID_RE, type AdminRequest, type RequestShare, type RequestStatus } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import { wireStatus, type ShareRow } from './shares.ts';
import { iso, isoOrNull } from './time.ts';

export interface RequestRow {
  id: string;
  status: 'open' | 'revoked';
  created_at: number;
  expires_at: number;
  recipient: string;
  fingerprint: string;
  max_shares: number;
  shares_used: number;
  max_bytes: number;
  bytes_used: number;
  owner_hash: string;
  token_id: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** A request id that is not 22 base64url characters is 404 before D1 is touched. */
export function requestIdParam(id: string | undefined): string {
  if (!id || !SHARE_ID_RE.test(id)) throw new Fail('not_found', 'no such request');
  return id;
}

export async function loadRequest(env: Env, id: string): Promise<RequestRow | null> {
  return env.DB.prepare('SELECT * FROM requests WHERE id = ?').bind(id).first<RequestRow>();
}

export function requestStatus(r: RequestRow, t: number): RequestStatus {
  if (r.status === 'revoked') return 'revoked';
  if (r.expires_at <= t) return 'expired';
  if (r.shares_used >= r.max_shares) return 'exhausted';
  return 'open';
}

/** The request as senders see it: 404 unknown, 410 when closed, expired or used up. */
export function requireOpen(r: RequestRow | null, t: number): RequestRow {
  if (!r) throw new Fail('not_found', 'no such request');
  const st = requestStatus(r, t);
  if (st === 'revoked') throw new Fail('revoked', 'this request was closed');
  if (st === 'expired') throw new Fail('expired', 'this request has expired');
  if (st === 'exhausted') throw new Fail('exhausted', 'this request takes no more shares');
  return r;
}

/** Why a create against request `id` for `bytes` was refused (called after the atomic INSERT found no room). */
export async function requestRefusal(env: Env, id: string, bytes: number, t: number): Promise<Fail | null> {
  const r = requireOpen(await loadRequest(env, id), t);
  if (r.bytes_used + bytes > r.max_bytes) {
    return new Fail('too_large', `this request takes ${Math.max(0, r.max_bytes - r.bytes_used)} more bytes; this share has ${bytes}`);
  }
  return null;
}

export function toAdminRequest(r: RequestRow, t: number): AdminRequest {
  return {
    id: r.id,
    status: requestStatus(r, t),
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    fingerprint: r.fingerprint,
    maxShares: r.max_shares,
    sharesUsed: r.shares_used,
    maxBytes: r.max_bytes,
    bytesUsed: r.bytes_used,
  };
}

/** Shares sent to a request, newest first; `finalizedOnly` for its owner (what has arrived). */
export async function requestShares(env: Env, id: string, t: number, finalizedOnly: boolean): Promise<RequestShare[]> {
  const { results } = await env.DB.prepare(
    `SELECT * FROM shares WHERE request_id = ? ${finalizedOnly ? 'AND finalized_at IS NOT NULL' : ''}
     ORDER BY created_at DESC, id DESC LIMIT 1000`,
  )
    .bind(id)
    .all<ShareRow>();
  return results.map((s) => ({
    id: s.id,
    status: wireStatus(s, t),
    createdAt: iso(s.created_at),
    expiresAt: isoOrNull(s.expires_at),
    bytes: s.bytes,
    files: s.file_count,
    downloadsLeft: Math.max(0, s.max_downloads - s.downloads_used),
  }));
}
