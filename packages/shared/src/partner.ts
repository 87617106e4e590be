// Partner access (README "Partner tokens"): labels on tokens and shares, the
// rules a share can carry (partner token, countries, networks), and the access
// report. Shared by the worker (validation) and the clients (types, messages).
import { z } from 'zod';

/** A label is `key:value`: a lower-case key, then a value without spaces. */
export const LABEL_RE = /^[a-z0-9][a-z0-9_.-]{0,31}:[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,63}$/;
export const MAX_LABELS = 10;
export const MAX_COUNTRIES = 50;
export const MAX_NETWORKS = 20;

export const label = z.string().max(97).regex(LABEL_RE, 'must be key:value (key a-z0-9_.-, at most 32; value at most 64, no spaces)');
/** A bounded set of labels; duplicates are refused rather than silently merged. */
export const labels = z
  .array(label)
  .max(MAX_LABELS)
  .refine((l) => new Set(l).size === l.length, 'labels must not repeat');

/** ISO 3166-1 alpha-2, upper case (what request.cf.country carries). */
export const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE');
export const countries = z.array(country).min(1).max(MAX_COUNTRIES);
/** An IPv4 or IPv6 CIDR; the worker parses it (ipaddr.js) and refuses what does not parse. */
export const networks = z.array(z.string().min(3).max(50)).min(1).max(MAX_NETWORKS);

/** Optional fields of POST /api/shares for partner access and place rules. */
export const shareRuleFields = {
  labels: labels.optional(),
  /** The recipient must present a download token carrying this label. */
  requireLabel: label.optional(),
  countries: countries.optional(),
  networks: networks.optional(),
  /**
   * The sender publishes the plaintext SHA-256 of each file (sent with finalize),
   * so notifications can show them. Off unless the sender asks: without it the
   * server takes no hash at all (zero knowledge).
   */
  publishSha256: z.literal(true).optional(),
};

/** The rule fields as a sender sets them (engine send settings, CLI flags, web options). */
export interface ShareRules {
  labels?: string[];
  requireLabel?: string;
  countries?: string[];
  networks?: string[];
  /** Publish each file's SHA-256 to the server with finalize (an explicit opt-in). */
  publishSha256?: true;
}
const shareRules = z.strictObject(shareRuleFields);

/**
 * Problems with `rules` as plain sentences naming the field (empty: fine), so a
 * client refuses bad input before anything is encrypted. CIDRs are parsed by the
 * worker; here only their shape is checked.
 */
export function shareRulesProblems(rules: ShareRules): string[] {
  const r = shareRules.safeParse(rules);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const field = String(i.path[0] ?? 'rules');
    const at = i.path.length > 1 ? ` (${JSON.stringify((rules as Record<string, unknown[]>)[field]?.[Number(i.path[1])])})` : '';
    return `${field}${at}: ${i.message}`;
  });
}

/** Splits a typed list ("a:b, c:d" or one a line) into its items; blanks dropped. */
export const splitList = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** Error codes of partner access and place rules (see errors.ts). */
export const PARTNER_ERROR_MESSAGES = {
  partner_token_required: 'this link works only together with a partner token: send Authorization: Bearer <token>',
  partner_token_refused: 'this partner token is unknown, expired, revoked or does not carry the label this share requires',
  place_refused: 'this share cannot be opened from your country or network',
} as const;

/** GET /api/admin/stats?label= */
export const adminStatsQuery = z.strictObject({ label: label.optional() });

export const accessReportQuery = z.strictObject({
  label: label.optional(),
  format: z.enum(['json', 'csv']).optional(),
});

export interface AccessReportShare {
  id: string;
  expiresAt: string | null;
  maxDownloads: number;
  downloadsUsed: number;
  requireLabel: string;
  lastAccessAt: string | null;
}
export interface AccessReportToken {
  id: string;
  label: string;
  labels: string[];
  expiresAt: string;
  lastUsedAt: string | null;
  shares: AccessReportShare[];
}
export interface AccessReportResponse {
  generatedAt: string;
  label: string | null;
  tokens: AccessReportToken[];
}

// ---- server policy (POLICY variable, shown in GET /api/config) ---------------
/** Who creates a share: nobody in particular (open uploads), an upload token, or an admin. */
export const POLICY_SCOPES = ['open', 'upload', 'admin'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

const scopeLimits = z.strictObject({
  maxExpirySeconds: z.int().positive().optional(),
  maxDownloads: z.int().positive().optional(),
});

/** A label, or `key:*` for every value of a key. */
export const labelPattern = z.string().regex(/^([a-z0-9][a-z0-9_.-]{0,31}:\*|[a-z0-9][a-z0-9_.-]{0,31}:[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,63})$/, 'must be key:value or key:*');

export const serverPolicy = z.strictObject({
  requirePassword: z.boolean().optional(),
  scopes: z.partialRecord(z.enum(POLICY_SCOPES), scopeLimits).optional(),
  /** Shares carrying one of these labels (usually inherited from the upload token) must require a partner token. */
  requirePartnerTokenFor: z.array(labelPattern).max(50).optional(),
  /** Countries a share is limited to when it names none. */
  defaultCountries: countries.optional(),
});
export type ServerPolicy = z.infer<typeof serverPolicy>;

/** Whether `label` matches a policy pattern (`key:value` exactly, or `key:*`). */
export function labelMatches(pattern: string, label: string): boolean {
  return pattern.endsWith(':*') ? label.startsWith(pattern.slice(0, -1)) : pattern === label;
}

/** What a sender must do under `policy` (plain sentences, for clients to show before a refusal). */
export function policyRequirements(policy: ServerPolicy | undefined, scope: PolicyScope): string[] {
  if (!policy) return [];
  const out: string[] = [];
  if (policy.requirePassword) out.push('Every share needs a password.');
  const lim = policy.scopes?.[scope];
  if (lim?.maxExpirySeconds) out.push(`Links expire after at most ${lim.maxExpirySeconds} seconds.`);
  if (lim?.maxDownloads) out.push(`At most ${lim.maxDownloads} downloads per link.`);
  if (policy.requirePartnerTokenFor?.length) out.push(`Shares labelled ${policy.requirePartnerTokenFor.join(', ')} must require a partner token.`);
  if (policy.defaultCountries?.length) out.push(`Unless a share says otherwise, it opens only from ${policy.defaultCountries.join(', ')}.`);
  return out;
}
