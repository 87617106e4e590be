// Request and response shapes of every route in DESIGN.md "HTTP API".
// The worker validates requests with these schemas; the web app and the CLI
// use the same types (and may validate responses) so all three stay in step.
import { z } from 'zod';
import { B64U_RE, SHARE_ID_RE, MAX_REPORT_CHARS } from './limits.ts';
import { label, labels, serverPolicy, shareRuleFields } from './partner.ts';

/** base64url without padding, strict alphabet; `bytes` fixes the decoded length. */
export const b64u = (bytes?: number) => {
  const s = z.string().regex(B64U_RE, 'must be base64url without padding');
  if (bytes === undefined) return s.refine((v) => v.length % 4 !== 1, 'bad base64url length');
  return s.length(Math.ceil((bytes * 4) / 3), `must encode exactly ${bytes} bytes`);
};

export const shareId = z.string().regex(SHARE_ID_RE, 'bad share id');
export const isoTime = z.string();

export const kdfV1 = z.strictObject({
  alg: z.literal('argon2id'),
  t: z.literal(3),
  m: z.literal(65536),
  p: z.literal(1),
});
export type Kdf = z.infer<typeof kdfV1>;

export const passwordParams = z.strictObject({ salt: b64u(16), kdf: kdfV1 });
export type PasswordParams = z.infer<typeof passwordParams>;

// ---- config ---------------------------------------------------------------
export const configResponse = z.object({
  maxFileBytes: z.number(),
  maxShareBytes: z.number(),
  maxFiles: z.number(),
  maxExpirySeconds: z.number(),
  defaultExpirySeconds: z.number(),
  maxDownloads: z.number(),
  partBytes: z.number(),
  uploadPolicy: z.enum(['open', 'token']),
  /** The server's share policy (README "Policy"), when one is set. */
  policy: serverPolicy.optional(),
});
export type ConfigResponse = z.infer<typeof configResponse>;

// ---- create / upload / finalize --------------------------------------------
export const createShareRequest = z.strictObject({
  expiresIn: z.int().positive(),
  maxDownloads: z.int().positive(),
  linkPub: b64u(32),
  authPub: b64u(32),
  password: passwordParams.nullable(),
  files: z.array(z.strictObject({ size: z.int().nonnegative() })).min(1),
  ...shareRuleFields,
});
export type CreateShareRequest = z.infer<typeof createShareRequest>;
export interface CreateShareResponse {
  id: string;
  ownerToken: string;
  partBytes: number;
}

export interface PartUploadResponse {
  n: number;
}

export interface UploadsResponse {
  files: { index: number; size: number; parts: number[] }[];
}

export const finalizeRequest = z.strictObject({ manifest: b64u().min(1) });
export type FinalizeRequest = z.infer<typeof finalizeRequest>;
export interface FinalizeResponse {
  id: string;
  status: 'ready';
  expiresAt: string;
}

// ---- recipient ------------------------------------------------------------
export interface ShareInfoResponse {
  id: string;
  status: 'ready';
  expiresAt: string;
  password: PasswordParams | null;
  challenge: string;
  /** The access routes need `Authorization: Bearer <partner download token>` as well. */
  requiresToken?: boolean;
}

export const accessRequest = z.strictObject({
  challenge: b64u().min(1).max(200),
  linkSignature: b64u(64),
  signature: b64u(64),
});
export type AccessRequest = z.infer<typeof accessRequest>;

export interface ManifestResponse {
  manifest: string;
  downloadsLeft: number;
  expiresAt: string;
}

export interface DownloadResponse {
  grant: string;
  grantExpiresAt: string;
  manifest: string;
  files: { index: number; size: number }[];
}

export const reportRequest = z.strictObject({ reason: z.string().min(1).max(MAX_REPORT_CHARS) });
export type ReportRequest = z.infer<typeof reportRequest>;

// ---- owner ----------------------------------------------------------------
export type ShareStatus = 'uploading' | 'ready' | 'expired' | 'exhausted' | 'revoked' | 'deleted';

export type LogEvent =
  | 'create'
  | 'finalize'
  | 'manifest'
  | 'download'
  | 'file'
  | 'bad_link'
  | 'bad_password'
  | 'rate_limited'
  | 'revoke'
  | 'report'
  | 'sweep_delete'
  | 'admin'
  | 'partner_refused'
  | 'place_refused';

export interface LogRow {
  id: number;
  shareId: string | null;
  event: LogEvent;
  at: string;
  ip: string | null;
  country: string | null;
  userAgent: string | null;
  outcome: string | null;
  detail: string | null;
  tokenId: string | null;
}

export interface OwnerStatusResponse {
  status: ShareStatus;
  expiresAt: string | null;
  maxDownloads: number;
  downloadsUsed: number;
  wrongPasswords: number;
  log: LogRow[];
}

export interface RevokeResponse {
  status: 'revoked';
}

// ---- admin ----------------------------------------------------------------
export interface AdminShare {
  id: string;
  status: ShareStatus;
  createdAt: string;
  expiresAt: string | null;
  bytes: number;
  files: number;
  maxDownloads: number;
  downloadsUsed: number;
  hasPassword: boolean;
  wrongPasswords: number;
  reportCount: number;
  labels?: string[];
  /** The label a recipient's partner token must carry, or null. */
  requireLabel?: string | null;
}

export interface AdminSharesResponse {
  shares: AdminShare[];
  cursor: string | null;
}

export interface Report {
  id: number;
  shareId: string;
  at: string;
  reason: string;
  ip: string | null;
}

export interface AdminShareDetail extends AdminShare {
  log: LogRow[];
  reports: Report[];
}

export interface AdminStats {
  activeShares: number;
  storedBytes: number;
  downloads24h: number;
  failedAuth24h: number;
  openReports: number;
}

export const revokeAllRequest = z.strictObject({ confirm: z.literal('REVOKE ALL') });
export interface RevokeAllResponse {
  revoked: number;
}

/** DELETE /api/admin/tokens/:id?shares=revoke also revokes every live share the token created (a leaked CI token). */
export const deleteTokenQuery = z.strictObject({ shares: z.literal('revoke').optional() });
export interface DeleteTokenResponse {
  ok: true;
  /** Shares revoked with the token (0 unless asked). */
  revokedShares: number;
}

export const createTokenRequest = z.strictObject({
  label: z.string().min(1).max(100),
  scope: z.enum(['upload', 'admin', 'download']),
  expiresIn: z.int().positive().max(366 * 24 * 3600),
  labels: labels.optional(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;

export interface ApiToken {
  id: string;
  label: string;
  scope: 'upload' | 'admin' | 'download';
  labels?: string[];
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}
export interface CreateTokenResponse extends ApiToken {
  /** The secret, shown once. Only its SHA-256 is stored. */
  token: string;
}
export interface TokensResponse {
  tokens: ApiToken[];
}

export const LOG_FORMATS = ['json', 'csv', 'jsonl'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

// ---- query strings (admin) ---------------------------------------------------
// Added by the worker: the admin list and log filters, validated like bodies.
export const SHARE_STATUSES = ['uploading', 'ready', 'expired', 'exhausted', 'revoked', 'deleted'] as const satisfies readonly ShareStatus[];
export const LOG_EVENTS = [
  'create',
  'finalize',
  'manifest',
  'download',
  'file',
  'bad_link',
  'bad_password',
  'rate_limited',
  'revoke',
  'report',
  'sweep_delete',
  'admin',
  'partner_refused',
  'place_refused',
] as const satisfies readonly LogEvent[];

/** Decimal integer in a query string. */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,8})$/, 'must be a decimal integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const isoDateTime = z.iso.datetime({ offset: true });

export const adminSharesQuery = z.strictObject({
  status: z.enum(SHARE_STATUSES).optional(),
  cursor: z.string().max(200).optional(),
  limit: queryInt(1, 200).optional(),
  label: label.optional(),
});
export type AdminSharesQuery = z.infer<typeof adminSharesQuery>;

export const adminLogQuery = z.strictObject({
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  share: shareId.optional(),
  event: z.enum(LOG_EVENTS).optional(),
  format: z.enum(LOG_FORMATS).optional(),
  limit: queryInt(1, 10000).optional(),
  label: label.optional(),
});
export type AdminLogQuery = z.infer<typeof adminLogQuery>;

/** The body of POST /api/shares/:id/report's 202 answer. */
export interface ReportResponse {
  ok: true;
}
