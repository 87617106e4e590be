// Incident response (README "Incident response"): scoped revocation with a dry
// run, the freeze switch, advisories on revoked shares, token hygiene.
import { z } from 'zod';
import { isoDateTime } from './api.ts';

/** An advisory is a short plain-text note; the server strips controls and collapses whitespace. */
export const MAX_ADVISORY_CHARS = 280;
export const MAX_FREEZE_REASON_CHARS = 280;

const advisoryText = z.string().min(1).max(MAX_ADVISORY_CHARS * 2);

/**
 * POST /api/admin/revoke: which live (uploading, ready) shares to revoke.
 * `token`: the shares an upload token created; `label`: of every token with
 * that label; `window`: created in [since, until). `dryRun` only counts.
 */
export const revokeScopeRequest = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('all'), dryRun: z.boolean().optional(), advisory: advisoryText.optional() }),
  z.strictObject({
    scope: z.literal('token'),
    token: z.string().regex(/^[A-Za-z0-9_-]{12}$/, 'bad token id'),
    dryRun: z.boolean().optional(),
    advisory: advisoryText.optional(),
  }),
  z.strictObject({ scope: z.literal('label'), label: z.string().min(1).max(100), dryRun: z.boolean().optional(), advisory: advisoryText.optional() }),
  z.strictObject({
    scope: z.literal('window'),
    since: isoDateTime,
    until: isoDateTime,
    dryRun: z.boolean().optional(),
    advisory: advisoryText.optional(),
  }),
]);
export type RevokeScopeRequest = z.infer<typeof revokeScopeRequest>;
export type RevokeScope = RevokeScopeRequest['scope'];

export interface RevokeScopeResponse {
  dryRun: boolean;
  /** Live shares revoked now (dry run: that would be). */
  revoked: number;
  /** Download grants ended (dry run: live grants in scope). */
  grantsEnded: number;
  /** Revoked shares whose objects are not deleted yet (the background purge and the sweep finish them). */
  purgePending: number;
}

// ---- freeze -----------------------------------------------------------------
export interface FreezeState {
  reason: string;
  since: string;
}
export const freezeRequest = z.strictObject({ reason: z.string().min(1).max(MAX_FREEZE_REASON_CHARS * 2) });
export interface FreezeResponse {
  freeze: FreezeState | null;
}

// ---- advisories ---------------------------------------------------------------
/** PUT /api/admin/shares/:id/advisory or /api/shares/:id/advisory (owner): null removes it. */
export const advisoryRequest = z.strictObject({ advisory: advisoryText.nullable() });
export interface AdvisoryResponse {
  advisory: string | null;
}

// ---- token hygiene and the admin log ---------------------------------------
export interface TokenUsage {
  lastUsedAt: string | null;
  /** Shares the token created. */
  shares: number;
  /** Who minted it: 'bootstrap' or a token id. */
  createdBy: string | null;
}

export interface LogPage<R> {
  rows: R[];
  /** Pass as `before` for the next (older) page; null at the end. */
  cursor: string | null;
}
