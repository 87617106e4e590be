// Stateless access challenges (DESIGN.md "Access protocol"):
// b64u(time(8, big-endian seconds) || random(16) || HMAC-SHA-256(key, id || time || random)[0..16]).
import { CHALLENGE_TTL_SECONDS } from '@sealdrop/shared';
import { b64uEncode, concatBytes, constantTimeEqual, randomBytes, utf8Encode } from '@sealdrop/crypto';
import { b64uDecode, hmac } from './bytes.ts';

const MAC_BYTES = 16;
const CHALLENGE_BYTES = 8 + 16 + MAC_BYTES;
/** Accepted clock skew for a challenge dated in the future (several worker instances). */
const FUTURE_SKEW_SECONDS = 30;

function timeBytes(seconds: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(seconds));
  return b;
}

async function mac(secret: string, id: string, time: Uint8Array, nonce: Uint8Array): Promise<Uint8Array> {
  return (await hmac(secret, 'challenge', concatBytes(utf8Encode(id), time, nonce))).slice(0, MAC_BYTES);
}

export async function makeChallenge(secret: string, id: string, nowMs: number): Promise<string> {
  const time = timeBytes(Math.floor(nowMs / 1000));
  const nonce = randomBytes(16);
  return b64uEncode(concatBytes(time, nonce, await mac(secret, id, time, nonce)));
}

export interface CheckedChallenge {
  /** Unique per challenge: the hex of its random part (what /download records as used). */
  nonce: string;
  /** When it stops being accepted (ms). */
  expiresAt: number;
}

/** The challenge if it was made by this server for this share and is still fresh, else null. */
export async function checkChallenge(secret: string, id: string, challenge: string, nowMs: number): Promise<CheckedChallenge | null> {
  const raw = b64uDecode(challenge, CHALLENGE_BYTES);
  if (!raw) return null;
  const time = raw.subarray(0, 8);
  const nonce = raw.subarray(8, 24);
  if (!constantTimeEqual(raw.subarray(24), await mac(secret, id, time, nonce))) return null;
  const issued = Number(new DataView(time.buffer, time.byteOffset, 8).getBigUint64(0));
  const nowS = nowMs / 1000;
  if (issued > nowS + FUTURE_SKEW_SECONDS || nowS - issued > CHALLENGE_TTL_SECONDS) return null;
  return { nonce: b64uEncode(nonce), expiresAt: (issued + CHALLENGE_TTL_SECONDS) * 1000 };
}
