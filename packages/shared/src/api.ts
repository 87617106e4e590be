// Request and response shapes of every route in DESIGN.md "HTTP API".
// The worker validates requests with these schemas; the web app and the CLI
// use the same types (and may validate responses) so all three stay in step.
import { z } from 'zod';
import { B64U_RE, KDF_V1, SHARE_ID_RE, MAX_REPORT_CHARS } from './limits.ts';
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
  alg: z.literal(KDF_V1.alg),
  t: z.literal(KDF_V1.t),
  m: z.literal(KDF_V1.m),
  p: z.literal(KDF_V1.p),
});
export type Kdf = z.infer<typeof kdfV1>;

export const passwordParams = z.strictObject({ salt: b64u(16), kdf: kdfV1 });
export type PasswordParams = z.infer<typeof passwordParams>;

// v1.1 (docs/PROTOCOL.md §6)
/** One X-Wing stanza: S wrapped to one recipient key. Exactly these three keys. */
export const stanza = z.strictObject({
  kem: z.literal('xwing'),
  enc: b64u(1120),
  wrap: b64u(48),
});
export type StanzaWire = z.infer<typeof stanza>;
export const MAX_RECIPIENTS = 20;
export const recipients = z.array(stanza).min(1).max(MAX_RECIPIENTS);

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
  /** Set while an admin has frozen the server (README "Incident response"). */
  freeze: z.object({ reason: z.string(), since: z.string() }).nullable().optional(),
});
export type ConfigResponse = z.infer<typeof configResponse>;

// ---- create / upload / finalize --------------------------------------------
export const createShareRequest = z.strictObject({
  expiresIn: z.int().positive(),
  maxDownloads: z.int().positive(),
  linkPub: b64u(32),
  authPub: b64u(32),
  password: passwordParams.nullable(),
  // Empty for a note-only share (a message with no file; the note is in the manifest).
  files: z.array(z.strictObject({ size: z.int().nonnegative() })),
  /** v1.1: a file request's id, counted against it, instead of an upload token. */
  request: z.string().regex(SHARE_ID_RE, 'bad request id').optional(),
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

/** A published plaintext SHA-256: 64 lower-case hex characters. */
export const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
/** At most one published SHA-256 per file; the worker also checks the count is the share's file count. */
export const MAX_PUBLISHED_SHA256 = 10_000;
export const publishedSha256 = z
  .array(z.string().regex(SHA256_HEX_RE, 'must be a SHA-256 as 64 lower-case hex characters'))
  .max(MAX_PUBLISHED_SHA256);

/**
 * v1.1: `recipients` seals the share to public keys (its link then carries no secret).
 * `sha256`: one plaintext SHA-256 per file, in file order, only for a share created
 * with `publishSha256: true` (and then required).
 */
export const finalizeRequest = z.strictObject({ manifest: b64u().min(1), recipients: recipients.optional(), sha256: publishedSha256.optional() });
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
  /** v1.1: the stanzas as stored, or null for a link-secret share. */
  recipients: StanzaWire[] | null;
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
  /** A threshold crossed (lib/alerts.ts): detail names the kind, count and window. */
  | 'alert'
  | 'request_create'
  | 'request_share'
  | 'request_close'
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
  /** Place in the log's hash chain and h_seq (hex); null until the sweep seals the row (docs/LOG.md). */
  seq: number | null;
  hash: string | null;
}

/** A signed log checkpoint (docs/LOG.md): rows first..last hash to head. */
export interface LogCheckpoint {
  n: number;
  first: number;
  last: number;
  count: number;
  head: string;
  prev: string;
  at: string;
  /** Rows seq 1..retained were dropped by retention. */
  retained: number;
  sig: string;
}

/** GET /api/log/key: the Ed25519 public key that signs checkpoints. */
export interface LogKeyResponse {
  alg: 'Ed25519';
  publicKey: string;
}

/** GET /api/admin/log/checkpoints */
export interface LogCheckpointsResponse {
  checkpoints: LogCheckpoint[];
}

/** GET /api/admin/log/chain: every row in chain order, paged by seq (unsealed rows last). */
export interface LogChainResponse {
  rows: LogRow[];
  /** Pass as ?after= for the next page; null on the last. */
  next: number | null;
}

/** GET /api/admin/log/status: the dashboard's chain state. */
export interface LogStatusResponse {
  sealedRows: number;
  unsealedRows: number;
  retained: number;
  lastCheckpoint: LogCheckpoint | null;
  publicKey: string;
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
  /** The files' SHA-256s, only when the sender published them. */
  sha256?: string[];
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
  /** The note recipients of a revoked share read (plain text), or null. */
  advisory: string | null;
}

export interface AdminStats {
  activeShares: number;
  storedBytes: number;
  downloads24h: number;
  failedAuth24h: number;
  openReports: number;
  /** Admin calls refused for a bad or missing token in the last 24 h. */
  failedAdminSignIns24h: number;
  /** Set while the server is frozen. */
  freeze: { reason: string; since: string } | null;
}

/** The kill switch; `tokens` also revokes every minted token the caller may revoke, partner download tokens included. */
export const revokeAllRequest = z.strictObject({ confirm: z.literal('REVOKE ALL'), tokens: z.boolean().optional() });
export interface RevokeAllResponse {
  /** Live shares revoked by this call (a repeat finds 0: safe to run again). */
  revoked: number;
  /** Download grants ended, those of exhausted shares included. */
  grantsEnded: number;
  /** Revoked shares whose objects are still being deleted (the sweep finishes them). */
  purgePending: number;
  /** With `tokens`: API tokens (upload, admin) revoked by this call. */
  tokensRevoked: number;
  /** With `tokens`: partner download tokens revoked by this call. */
  downloadTokensRevoked: number;
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
  /** Token hygiene: when it last authenticated, how many shares it created, who minted it. */
  lastUsedAt: string | null;
  shares: number;
  createdBy: string | null;
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
  'alert',
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
  /** Paging: only rows older than this cursor (the `cursor` of the previous page). */
  before: z.string().regex(/^[1-9][0-9]{0,15}$/, 'not a cursor this server gave out').optional(),
});
export type AdminLogQuery = z.infer<typeof adminLogQuery>;

/** The body of POST /api/shares/:id/report's 202 answer. */
export interface ReportResponse {
  ok: true;
}

// ---- webhooks (README "Webhooks") -------------------------------------------
export const WEBHOOK_EVENTS = [...LOG_EVENTS, 'checkpoint'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_FORMATS = ['json', 'slack', 'ocsf'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const createWebhookRequest = z.strictObject({
  url: z.string().min(1).max(2000),
  /** Event names, or ["*"] for every event. */
  events: z.array(z.union([z.enum(WEBHOOK_EVENTS), z.literal('*')])).min(1).max(WEBHOOK_EVENTS.length + 1),
  format: z.enum(WEBHOOK_FORMATS).optional(),
  /** A label filter: only events of shares carrying at least one of these (key:value) labels; empty or absent for every event. */
  labels: labels.optional(),
});
export type CreateWebhookRequest = z.infer<typeof createWebhookRequest>;

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  format: WebhookFormat;
  /** The label filter (empty: no filter, every event including those without a share). */
  labels: string[];
  createdAt: string;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  /** Consecutive failed attempts. */
  failures: number;
  pending: number;
}
/** 201 of POST /api/admin/webhooks: the signing secret, shown once. */
export interface CreateWebhookResponse extends Webhook {
  secret: string;
}
export interface WebhooksResponse {
  webhooks: Webhook[];
}
export interface WebhookDelivery {
  id: number;
  event: string;
  shareId: string | null;
  createdAt: string;
  attempts: number;
  nextAt: string | null;
  deliveredAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}
export interface WebhookDeliveriesResponse {
  deliveries: WebhookDelivery[];
}

/** POST /api/shares/:id/notify (Owner): receipts of this share's events at `url`. */
export const notifyRequest = z.strictObject({ url: z.string().min(1).max(2000) });
export type NotifyRequest = z.infer<typeof notifyRequest>;
/** 201: the per-share signing secret, returned this once. */
export interface NotifyResponse {
  url: string;
  secret: string;
}

// ---- v1.1: recipient keys and file requests (docs/PROTOCOL.md §6) -----------

export const MAX_REQUEST_SHARES = 100;
/** `sealdrop-pq1:` + 1622 base64url characters; the worker parses it strictly. */
export const RECIPIENT_TEXT_RE = /^sealdrop-pq1:[A-Za-z0-9_-]{1622}$/;

export const createRequestRequest = z.strictObject({
  recipient: z.string().max(2000),
  expiresIn: z.int().positive(),
  maxShares: z.int().min(1).max(MAX_REQUEST_SHARES),
  maxBytes: z.int().positive(),
});
export type CreateRequestRequest = z.infer<typeof createRequestRequest>;
export interface CreateRequestResponse {
  id: string;
  ownerToken: string;
  expiresAt: string;
}

export type RequestStatus = 'open' | 'expired' | 'exhausted' | 'revoked';

export interface RequestInfoResponse {
  id: string;
  status: 'open';
  expiresAt: string;
  recipient: string;
  sharesLeft: number;
  bytesLeft: number;
}

/** A share sent to a request, as its owner sees it. */
export type RequestShare = Pick<AdminShare, 'id' | 'status' | 'createdAt' | 'expiresAt' | 'bytes' | 'files'> & { downloadsLeft: number };

export interface RequestSharesResponse {
  shares: RequestShare[];
}

export const closeRequestQuery = z.strictObject({ shares: z.literal('revoke').optional() });
export interface CloseRequestResponse {
  status: 'revoked';
  /** Shares revoked with the request (0 unless asked). */
  revokedShares: number;
}

export interface AdminRequest {
  id: string;
  status: RequestStatus;
  createdAt: string;
  expiresAt: string;
  fingerprint: string;
  maxShares: number;
  sharesUsed: number;
  maxBytes: number;
  bytesUsed: number;
}
export interface AdminRequestsResponse {
  requests: AdminRequest[];
  cursor: string | null;
}
export interface AdminRequestDetail extends AdminRequest {
  recipient: string;
  shares: RequestShare[];
}
