// Access signatures (DESIGN.md "Access protocol"): Ed25519, RFC 8032 rules.
// TODO(crypto): switch to @sealdrop/crypto verifyAccessSignature once it lands.
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8 } from './bytes.ts';

export type AccessKind = 'link' | 'access';
export type AccessAction = 'manifest' | 'download';

export function accessMessage(kind: AccessKind, action: AccessAction, id: string, challenge: string): Uint8Array {
  return utf8(`sealdrop/v1 ${kind} ${action} ${id} ${challenge}`);
}

export function verifyAccessSignature(
  publicKey: Uint8Array,
  kind: AccessKind,
  action: AccessAction,
  id: string,
  challenge: string,
  signature: Uint8Array,
): boolean {
  try {
    return ed25519.verify(signature, accessMessage(kind, action, id, challenge), publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** A public key that decodes to a curve point under strict (RFC 8032) rules, and not a small-order one. */
export function isPublicKey(bytes: Uint8Array): boolean {
  try {
    const p = ed25519.Point.fromBytes(bytes, false);
    return !p.isSmallOrder();
  } catch {
    return false;
  }
}
