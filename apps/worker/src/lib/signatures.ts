// Access signatures (DESIGN.md "Access protocol"): Ed25519 under RFC 8032 rules,
// verified with packages/crypto (the same code the clients sign with).
import { ed25519 } from '@noble/curves/ed25519.js';

export { verifyAccessSignature, type AccessAction, type AccessKind } from '@sealdrop/crypto';

/** A public key that decodes to a curve point under strict (RFC 8032) rules, and not a small-order one. */
export function isPublicKey(bytes: Uint8Array): boolean {
  try {
    const p = ed25519.Point.fromBytes(bytes, false);
    return !p.isSmallOrder();
  } catch {
    return false;
  }
}
