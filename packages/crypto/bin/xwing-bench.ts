// X-Wing timing per recipient (npm run bench, in Node and in the Chromium page):
// the raw KEM (encapsulate, decapsulate) and the whole wrap / unwrap of S around
// it (HKDF + AES-256-GCM). Medians in milliseconds; a benchmark, not a test.
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { randomBytes } from '../src/encoding.ts';
import { generateIdentity } from '../src/recipient-keys.ts';
import { unwrapSecret, wrapSecret } from '../src/stanza.ts';

export interface XWingTimings {
  rounds: number;
  keygenMs: number;
  encapsulateMs: number;
  decapsulateMs: number;
  /** wrapSecret: encapsulate + HKDF + AES-GCM seal, per recipient. */
  wrapMs: number;
  /** unwrapSecret of a stanza that opens: decapsulate + HKDF + AES-GCM open. */
  unwrapMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.floor(s.length / 2)].toFixed(3);
};

async function time(rounds: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up (JIT, lazy tables)
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function benchXWing(rounds = 50): Promise<XWingTimings> {
  const id = 'AAECAwQFBgcICQoLDA0ODw';
  const identity = generateIdentity();
  const pk = identity.recipient.publicKey;
  const { cipherText } = ml_kem768_x25519.encapsulate(pk);
  const S = randomBytes(32);
  const stanza = await wrapSecret(S, identity.recipient, id);
  return {
    rounds,
    keygenMs: await time(rounds, () => ml_kem768_x25519.keygen(randomBytes(32))),
    encapsulateMs: await time(rounds, () => ml_kem768_x25519.encapsulate(pk)),
    decapsulateMs: await time(rounds, () => ml_kem768_x25519.decapsulate(cipherText, identity.seed)),
    wrapMs: await time(rounds, () => wrapSecret(S, identity.recipient, id)),
    unwrapMs: await time(rounds, () => unwrapSecret(stanza, identity, id)),
  };
}
