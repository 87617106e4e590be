// Protocol constants every party agrees on. The format's own (share id pattern,
// part geometry, manifest cap, v1 KDF) are owned by packages/crypto and re-exported here.
export { DEFAULT_PART_BYTES, KDF_V1, MAX_MANIFEST_CIPHERTEXT_BYTES, MAX_PART_BYTES, MIN_PART_BYTES, partCount, partRange, SHARE_ID_RE } from '@sealdrop/crypto/constants';
// Deployment limits (which may be lowered by configuration) come from GET /api/config
// at run time; these are the defaults.

export const B64U_RE = /^[A-Za-z0-9_-]*$/;

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;


export const DEFAULT_MAX_FILE_BYTES = 10 * GIB;
export const DEFAULT_MAX_SHARE_BYTES = 20 * GIB;
export const DEFAULT_MAX_FILES = 1000;
export const DEFAULT_MAX_EXPIRY_SECONDS = 7 * 24 * 3600;
export const DEFAULT_EXPIRY_SECONDS = 24 * 3600;
export const DEFAULT_MAX_DOWNLOADS = 100;

export const MAX_PART_RESENDS = 3;
export const CHALLENGE_TTL_SECONDS = 5 * 60;
export const MAX_GRANT_SECONDS = 6 * 3600;
export const UNFINALIZED_TTL_SECONDS = 24 * 3600;
export const MAX_REPORT_CHARS = 2000;
export const MAX_USER_AGENT_CHARS = 512;

/** Wrong-password limits of DESIGN.md "Access protocol". */
export const BACKOFF_FREE_ATTEMPTS = 5;
export const BACKOFF_BASE_SECONDS = 2;
export const BACKOFF_MAX_SECONDS = 15 * 60;
export const WRONG_PASSWORDS_PER_HOUR = 20;
export const WRONG_PASSWORDS_PER_DAY = 100;
