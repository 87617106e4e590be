// Download grants (DESIGN.md "Access protocol"): b64u(payload) "." b64u(HMAC-SHA-256(key kid, payload)),
// payload = JSON {v: 1, kid, id, gid, exp} with exp in Unix milliseconds, so a grant
// ends exactly with its share (whole seconds let it die up to 999 ms early).
import { b64uEncode, constantTimeEqual, randomBytes, utf8Encode } from '@sealdrop/crypto';
import { b64uDecode, hmac } from './bytes.ts';

export interface GrantPayload {
  v: 1;
  kid: string;
  id: string;
  gid: string;
  /** Unix ms. */
  exp: number;
}

const kids = new Map<string, Promise<string>>();

/** The key id of the current grant key: a short tag of the derived key, so rotating SERVER_SECRET changes it. */
export function grantKid(secret: string): Promise<string> {
  let k = kids.get(secret);
  if (!k) {
    k = hmac(secret, 'grant kid', new Uint8Array()).then((m) => `k${b64uEncode(m.slice(0, 6))}`);
    kids.set(secret, k);
  }
  return k;
}

const macOf = async (secret: string, kid: string, payload: Uint8Array) => hmac(secret, `grant ${kid}`, payload);

export function newGrantId(): string {
  return b64uEncode(randomBytes(12));
}

export async function makeGrant(secret: string, id: string, gid: string, expMs: number): Promise<string> {
  const kid = await grantKid(secret);
  const payload: GrantPayload = { v: 1, kid, id, gid, exp: expMs };
  const bytes = utf8Encode(JSON.stringify(payload));
  return `${b64uEncode(bytes)}.${b64uEncode(await macOf(secret, kid, bytes))}`;
}

/** The payload of a grant this server made (any expiry), else null. */
export async function readGrant(secret: string, grant: string): Promise<GrantPayload | null> {
  if (grant.length > 400) return null;
  const parts = grant.split('.');
  if (parts.length !== 2) return null;
  const payload = b64uDecode(parts[0]);
  const tag = b64uDecode(parts[1], 32);
  if (!payload || !tag || payload.length > 256) return null;
  // Only the current key exists; the MAC is checked before the payload is parsed.
  const kid = await grantKid(secret);
  if (!constantTimeEqual(tag, await macOf(secret, kid, payload))) return null;
  let p: unknown;
  try {
    p = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(payload));
  } catch {
    return null;
  }
  if (typeof p !== 'object' || p === null) return null;
  const g = p as Record<string, unknown>;
  if (g.v !== 1 || typeof g.kid !== 'string' || typeof g.id !== 'string' || typeof g.gid !== 'string') return null;
  if (typeof g.exp !== 'number' || !Number.isSafeInteger(g.exp)) return null;
  if (g.kid !== kid) return null;
  // Grants made before exp was in milliseconds carry seconds (a number below 1e11 is 1973 in ms).
  return { v: 1, kid: g.kid, id: g.id, gid: g.gid, exp: g.exp < 1e11 ? g.exp * 1000 : g.exp };
}
