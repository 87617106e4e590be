// Keeps wrangler, miniflare and vitest local and quiet (../shared/STACK.md).
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
};

export function offlineEnv(extra = {}) {
  return { ...process.env, ...OFFLINE_ENV, ...extra };
}
