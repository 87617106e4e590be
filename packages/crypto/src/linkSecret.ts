// The link secret S as it travels in a link (DESIGN.md "Key schedule"). Apart from
// keys.ts, with no imports beyond encoding.ts, so a page can check a link's key
// before anything else of the crypto has loaded.
import { b64uDecode, EncodingError } from './encoding.ts';

export class LinkError extends Error {
  override name = 'LinkError';
}

export const LINK_SECRET_BYTES = 32;
export const LINK_SECRET_CHARS = 43;

/** Decodes S strictly (exactly 43 base64url characters, canonical). Throws LinkError. */
export function parseLinkSecret(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length === 0) throw new LinkError('The link has no key: the part after # is missing. Ask the sender for the full link.');
  if (s.length !== LINK_SECRET_CHARS) {
    throw new LinkError(`The link is damaged: its key should be ${LINK_SECRET_CHARS} characters after #, this one has ${s.length}. Copy the whole link again.`);
  }
  try {
    return b64uDecode(s, LINK_SECRET_BYTES);
  } catch (e) {
    if (e instanceof EncodingError) throw new LinkError('The link is damaged: its key contains characters a Sealdrop link never has. Copy the whole link again.');
    throw e;
  }
}
