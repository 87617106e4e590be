// Place and network rules of a share: allowed countries (the platform's
// request.cf.country) and allowed networks (IPv4 and IPv6 CIDRs, via ipaddr.js).
// Checked on /manifest, /download and every file request; a refusal is 403
// `place_refused`, logged with the country and the address.
import ipaddr from 'ipaddr.js';
import { PARTNER_ERROR_MESSAGES } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { Fail } from './errors.ts';
import type { ClientIp } from './ip.ts';
import { parseLabels } from './labels.ts';
import { writeLog, type LogContext } from './log.ts';

/**
 * Locally there is no request.cf.country. A test may set one with this header,
 * honoured only when LOCAL=1 (which the deployment guard refuses on a public
 * host) and the client is loopback; a deployment never reads it.
 */
export const TEST_COUNTRY_HEADER = 'X-Sealdrop-Test-Country';

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The client's country code, or null when the platform gives none. */
export function requestCountry(env: Env, req: Request, ip: ClientIp): string | null {
  const cf = (req as { cf?: { country?: unknown } }).cf;
  if (typeof cf?.country === 'string' && /^[A-Z]{2}$/.test(cf.country)) return cf.country;
  if (env.LOCAL === '1' && LOOPBACK.has(ip.address)) {
    const h = req.headers.get(TEST_COUNTRY_HEADER);
    if (h && /^[A-Z]{2}$/.test(h)) return h;
  }
  return null;
}

/** A CIDR in canonical form, or null when it does not parse (bare addresses are /32 or /128). */
export function normaliseCidr(s: string): string | null {
  try {
    const text = s.includes('/') ? s : `${s}/${ipaddr.IPv6.isValid(s) ? 128 : 32}`;
    const [addr, bits] = ipaddr.parseCIDR(text);
    // ipaddr.js reads "::ffff:1.2.3.4/120" as IPv6; keep it, matching converts mapped clients.
    return `${addr.toString()}/${bits}`;
  } catch {
    return null;
  }
}

/** Whether `address` (as the client-ip middleware normalised it) lies in one of `cidrs`. */
export function inNetworks(address: string, cidrs: string[]): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
  } catch {
    return false;
  }
  for (const c of cidrs) {
    try {
      let [net, bits] = ipaddr.parseCIDR(c);
      if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        net = (net as ipaddr.IPv6).toIPv4Address();
        bits -= 96;
      }
      if (net.kind() === addr.kind() && addr.match(net, bits)) return true;
    } catch {
      // a stored rule that does not parse matches nothing
    }
  }
  return false;
}

export interface PlaceRules {
  countries: string | null;
  networks: string | null;
}

/** Refuses (and logs) a request from outside the share's countries or networks. */
export async function checkPlace(ctx: LogContext, shareId: string, rules: PlaceRules, what: string): Promise<void> {
  const countries = rules.countries === null ? null : parseLabels(rules.countries);
  const networks = rules.networks === null ? null : parseLabels(rules.networks);
  if (!countries && !networks) return;
  const country = requestCountry(ctx.env, ctx.req, ctx.ip);
  const countryOk = !countries || (country !== null && countries.includes(country));
  const networkOk = !networks || inNetworks(ctx.ip.address, networks);
  if (countryOk && networkOk) return;
  const why = !countryOk ? `country=${country ?? 'unknown'}` : `address=${ctx.ip.address}`;
  await writeLog(ctx, { shareId, event: 'place_refused', outcome: 'place_refused', detail: `${what} ${why}` });
  throw new Fail('place_refused', `${PARTNER_ERROR_MESSAGES.place_refused} (${why})`);
}
