// Which webhook URLs the worker will fetch (SSRF guard): https only (http too
// with LOCAL=1, for loopback test receivers), no credentials in the URL, and no
// host that names this machine or a private, link-local or metadata network.
// The URL parser normalises IPv4 spellings (0x7f.1, 2130706433) first.
import { Fail } from './errors.ts';

const BLOCKED_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

function v4Private(h: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

function v6Private(h: string): boolean {
  if (!h.startsWith('[')) return false;
  const a = h.slice(1, -1).toLowerCase();
  if (a === '::' || a === '::1') return true;
  const mapped = /^::ffff:(.+)$/.exec(a);
  if (mapped) return true; // IPv4-mapped: never a webhook target
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(a) || a.startsWith('64:ff9b:');
}

const isLoopback = (h: string) => h === 'localhost' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);

/** The URL to fetch, or a 400 saying why not. `local`: LOCAL=1 (http and loopback allowed). */
export function checkWebhookUrl(raw: string, local: boolean): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Fail('bad_request', 'url: not a URL');
  }
  if (u.protocol !== 'https:' && !(local && u.protocol === 'http:')) throw new Fail('bad_request', 'url: must be https');
  if (u.username || u.password) throw new Fail('bad_request', 'url: must not carry credentials');
  if (raw.length > 2000) throw new Fail('bad_request', 'url: at most 2000 characters');
  const h = u.hostname;
  if (local && isLoopback(h)) return u;
  if (!h.includes('.') && !h.startsWith('[')) throw new Fail('bad_request', 'url: the host must be a public domain name');
  if (BLOCKED_NAMES.test(h) || v4Private(h) || v6Private(h)) {
    throw new Fail('bad_request', 'url: refused, it points at this machine or a private network');
  }
  return u;
}
