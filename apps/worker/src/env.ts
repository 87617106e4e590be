// Bindings (wrangler.toml) and the per-request variables of the Hono app.
import type { ClientIp } from './lib/ip.ts';

export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  ASSETS: Fetcher;
  RL_CREATE: RateLimit;
  RL_BAD_LINK: RateLimit;
  RL_REPORT: RateLimit;
  RL_ADMIN: RateLimit;
  /** Secrets (wrangler secret / .dev.vars). */
  ADMIN_TOKEN?: string;
  SERVER_SECRET?: string;
  /** Variables, all strings; see lib/config.ts for defaults. */
  UPLOAD_POLICY?: string;
  IP_LOGGING?: string;
  LOG_RETENTION_DAYS?: string;
  MAX_EXPIRY_SECONDS?: string;
  DEFAULT_EXPIRY_SECONDS?: string;
  MAX_DOWNLOADS?: string;
  PART_BYTES?: string;
  MAX_FILE_BYTES?: string;
  MAX_SHARE_BYTES?: string;
  MAX_FILES?: string;
  QUOTA_BYTES?: string;
  CLIENT_QUOTA_BYTES?: string;
  SWEEP_BATCH?: string;
  /** Alert thresholds (lib/alerts.ts); 0 turns one off. */
  ALERT_WRONG_PASSWORDS?: string;
  ALERT_SHARE_COUNTRIES?: string;
  ALERT_SHARE_ADDRESSES?: string;
  ALERT_DOWNLOAD_SPIKE?: string;
  ALERT_ADMIN_FAILURES?: string;
  LOCAL?: string;
  /** `1` (honoured only with LOCAL=1): trust a client-sent CF-Connecting-IP, for test harnesses. */
  TRUST_CLIENT_IP?: string;
  /** `off` (honoured only with LOCAL=1) lifts the per-IP limiters for test stacks. */
  RATE_LIMITS?: string;
  /** Admin sign-in through Cloudflare Access (middleware/accessJwt.ts): the team domain and the application's AUD tag. */
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  /** Tests only (honoured with LOCAL=1): the JWKS as inline JSON instead of the team's certs URL. */
  ACCESS_JWKS?: string;
  /** Server-wide share policy as JSON (lib/policy.ts), shown in /api/config. */
  POLICY?: string;
}

export interface Vars {
  ip: ClientIp;
  /** Who made an admin call: 'bootstrap' or an api_tokens id. */
  tokenId: string;
}

export type AppEnv = { Bindings: Env; Variables: Vars };
