// The action-bound access messages of DESIGN.md "Access protocol": the link
// signature proves S, the access signature proves S and the password.

import { ed25519 } from '@noble/curves/ed25519.js';
import { edSign, edSignAsync } from './ed25519.ts';
import { b64uEncode, utf8Encode } from './encoding.ts';
import type { ShareKeys } from './keys.ts';

export type AccessAction = 'manifest' | 'download';
export type AccessKind = 'link' | 'access';

/** UTF-8 of "sealdrop/v1 <kind> <action> <id> <challenge>". */
export function accessMessage(kind: AccessKind, action: AccessAction, id: string, challenge: string): Uint8Array {
  if (kind !== 'link' && kind !== 'access') throw new TypeError('kind must be link or access');
  if (action !== 'manifest' && action !== 'download') throw new TypeError('action must be manifest or download');
  return utf8Encode(`sealdrop/v1 ${kind} ${action} ${id} ${challenge}`);
}

export interface AccessBody {
  challenge: string;
  linkSignature: string;
  signature: string;
}

/** The exact request body of POST /api/shares/:id/manifest and /download. */
export function signAccess(keys: ShareKeys, action: AccessAction, id: string, challenge: string): AccessBody {
  return {
    challenge,
    linkSignature: b64uEncode(edSign(accessMessage('link', action, id, challenge), keys.linkSeed)),
    signature: b64uEncode(edSign(accessMessage('access', action, id, challenge), keys.authSeed)),
  };
}

/** signAccess with the asynchronous Ed25519 where one is installed (WebCrypto in a browser): the same bytes. */
export async function signAccessAsync(keys: ShareKeys, action: AccessAction, id: string, challenge: string): Promise<AccessBody> {
  const [link, access] = await Promise.all([
    edSignAsync(accessMessage('link', action, id, challenge), keys.linkSeed),
    edSignAsync(accessMessage('access', action, id, challenge), keys.authSeed),
  ]);
  return { challenge, linkSignature: b64uEncode(link), signature: b64uEncode(access) };
}

/** Strict RFC 8032 verification (not ZIP-215). Returns false, never throws, on any malformed input. */
export function verifyAccessSignature(publicKey: Uint8Array, kind: AccessKind, action: AccessAction, id: string, challenge: string, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
    if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
    if (typeof id !== 'string' || typeof challenge !== 'string') return false;
    return ed25519.verify(signature, accessMessage(kind, action, id, challenge), publicKey, { zip215: false });
  } catch {
    return false;
  }
}
