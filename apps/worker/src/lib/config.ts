// Deployment configuration from wrangler vars, with the defaults of packages/shared.
import {
  DEFAULT_EXPIRY_SECONDS,
  DEFAULT_MAX_DOWNLOADS,
  DEFAULT_MAX_EXPIRY_SECONDS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_SHARE_BYTES,
  DEFAULT_PART_BYTES,
  GIB,
  MAX_PART_BYTES,
  MIN_PART_BYTES,
  type ConfigResponse,
} from '@sealdrop/shared';
import type { Env } from '../env.ts';

export type IpLogging = 'full' | 'truncated' | 'none';

export interface Config {
  uploadPolicy: 'open' | 'token';
  ipLogging: IpLogging;
  logRetentionDays: number;
  maxExpirySeconds: number;
  defaultExpirySeconds: number;
  maxDownloads: number;
  partBytes: number;
  maxFileBytes: number;
  maxShareBytes: number;
  maxFiles: number;
  /** Global cap on reserved ciphertext bytes (all live shares). */
  quotaBytes: number;
  /** Reserved bytes one client address (or upload token) may hold at once. */
  clientQuotaBytes: number;
  /** Shares handled per sweep category per cron run. */
  sweepBatch: number;
  local: boolean;
}

export const DEFAULT_QUOTA_BYTES = 1024 * GIB;
export const DEFAULT_SWEEP_BATCH = 50;
export const DEFAULT_CLIENT_QUOTA_BYTES = 100 * GIB;

/** A positive integer from a var, clamped to [min, max]; the default when unset or garbled. */
function int(v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined || !/^[0-9]{1,16}$/.test(v.trim())) return def;
  return Math.min(max, Math.max(min, Number(v.trim())));
}

export function config(env: Env): Config {
  const maxExpirySeconds = int(env.MAX_EXPIRY_SECONDS, DEFAULT_MAX_EXPIRY_SECONDS, 60, 365 * 24 * 3600);
  const maxFileBytes = int(env.MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES, 1, Number.MAX_SAFE_INTEGER);
  return {
    // Anything but an explicit "open" means tokens: a typo must not open uploads.
    uploadPolicy: env.UPLOAD_POLICY?.trim() === 'open' ? 'open' : 'token',
    ipLogging: env.IP_LOGGING === 'none' ? 'none' : env.IP_LOGGING === 'truncated' ? 'truncated' : 'full',
    logRetentionDays: int(env.LOG_RETENTION_DAYS, 30, 1, 3650),
    maxExpirySeconds,
    defaultExpirySeconds: Math.min(maxExpirySeconds, int(env.DEFAULT_EXPIRY_SECONDS, DEFAULT_EXPIRY_SECONDS, 60, maxExpirySeconds)),
    maxDownloads: int(env.MAX_DOWNLOADS, DEFAULT_MAX_DOWNLOADS, 1, 1_000_000),
    partBytes: int(env.PART_BYTES, DEFAULT_PART_BYTES, MIN_PART_BYTES, MAX_PART_BYTES),
    maxFileBytes,
    maxShareBytes: int(env.MAX_SHARE_BYTES, DEFAULT_MAX_SHARE_BYTES, 1, Number.MAX_SAFE_INTEGER),
    maxFiles: int(env.MAX_FILES, DEFAULT_MAX_FILES, 1, 10_000),
    quotaBytes: int(env.QUOTA_BYTES, DEFAULT_QUOTA_BYTES, 0, Number.MAX_SAFE_INTEGER),
    clientQuotaBytes: int(env.CLIENT_QUOTA_BYTES, DEFAULT_CLIENT_QUOTA_BYTES, 0, Number.MAX_SAFE_INTEGER),
    sweepBatch: int(env.SWEEP_BATCH, DEFAULT_SWEEP_BATCH, 1, 60),
    local: env.LOCAL === '1',
  };
}

export function publicConfig(c: Config): ConfigResponse {
  return {
    maxFileBytes: c.maxFileBytes,
    maxShareBytes: c.maxShareBytes,
    maxFiles: c.maxFiles,
    maxExpirySeconds: c.maxExpirySeconds,
    defaultExpirySeconds: c.defaultExpirySeconds,
    maxDownloads: c.maxDownloads,
    partBytes: c.partBytes,
    uploadPolicy: c.uploadPolicy,
  };
}
