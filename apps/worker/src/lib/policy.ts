// Server-wide share policy from the POLICY variable (JSON, schema in
// packages/shared partner.ts), applied when a share is created and shown in
// GET /api/config so clients can say what it requires before a refusal:
// a password, maximum expiry and downloads per creator scope, a partner token
// for shares with some labels, and default countries.
import { labelMatches, serverPolicy, type CreateShareRequest, type PolicyScope, type ServerPolicy } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { describeIssues } from '../middleware/json.ts';
import { Fail } from './errors.ts';
import { parseLabels } from './labels.ts';
import type { ShareRules } from './partner.ts';

const cache = new Map<string, ServerPolicy | string>();

/** The policy, or undefined when POLICY is unset; a POLICY that does not parse is reported, never ignored. */
export function readPolicy(env: Env): ServerPolicy | undefined | { invalid: string } {
  const raw = env.POLICY?.trim();
  if (!raw) return undefined;
  let v = cache.get(raw);
  if (v === undefined) {
    try {
      const r = serverPolicy.safeParse(JSON.parse(raw));
      v = r.success ? r.data : describeIssues(r.error);
    } catch (e) {
      v = `not JSON (${(e as Error).message})`;
    }
    cache.set(raw, v);
  }
  return typeof v === 'string' ? { invalid: v } : v;
}

/** The policy for enforcement: a broken POLICY fails closed (503), so a typo cannot lift it. */
export function policy(env: Env): ServerPolicy | undefined {
  const p = readPolicy(env);
  if (p && 'invalid' in p) throw new Fail('unavailable', `the server's POLICY variable is not valid: ${p.invalid}`);
  return p;
}

/** Checks a new share against the policy; returns its rules with the default countries filled in. */
export function applyPolicy(p: ServerPolicy | undefined, scope: PolicyScope, body: CreateShareRequest, rules: ShareRules): ShareRules {
  if (!p) return rules;
  if (p.requirePassword && !body.password) throw new Fail('policy_refused', 'this server requires a password on every share');
  const lim = p.scopes?.[scope];
  if (lim?.maxExpirySeconds && body.expiresIn > lim.maxExpirySeconds) {
    throw new Fail('policy_refused', `expiresIn: shares made ${scope === 'open' ? 'without a token' : `with an ${scope} token`} expire after at most ${lim.maxExpirySeconds} seconds`);
  }
  if (lim?.maxDownloads && body.maxDownloads > lim.maxDownloads) {
    throw new Fail('policy_refused', `maxDownloads: shares made ${scope === 'open' ? 'without a token' : `with an ${scope} token`} allow at most ${lim.maxDownloads} downloads`);
  }
  const labels = parseLabels(rules.labels);
  const needs = labels.find((l) => p.requirePartnerTokenFor?.some((pat) => labelMatches(pat, l)));
  if (needs && !rules.requireLabel) {
    throw new Fail('policy_refused', `shares labelled ${needs} must require a partner token: set requireLabel`);
  }
  if (!rules.countries && p.defaultCountries?.length) return { ...rules, countries: JSON.stringify(p.defaultCountries) };
  return rules;
}
