// WebCrypto's Ed25519 (browsers: Chromium 137+, Firefox 129+, Safari 17+) for the
// key schedule and access signatures of a page: native, so a share link's page
// does not spend the ~30-60 ms @noble/curves takes to build its table on first
// use (issue 11). RFC 8032 signing is deterministic: the same bytes as noble.
import { useEd25519Async, type Ed25519AsyncImpl } from './ed25519.ts';
import { b64uDecode, bufferSource, concatBytes, hexDecode, hexEncode } from './encoding.ts';

/** PKCS#8 of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const PKCS8_SEED_PREFIX = hexDecode('302e020100300506032b657004220420');

function privateKey(seed: Uint8Array): Promise<CryptoKey> {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  // Extractable only so that its public half can be read (jwk "x"); the key object lives for one call.
  return crypto.subtle.importKey('pkcs8', bufferSource(concatBytes(PKCS8_SEED_PREFIX, seed)), { name: 'Ed25519' }, true, ['sign']);
}

export const webcryptoEd25519: Ed25519AsyncImpl = {
  async getPublicKey(seed) {
    const jwk = await crypto.subtle.exportKey('jwk', await privateKey(seed));
    return b64uDecode(jwk.x ?? '', 32);
  },
  async sign(message, seed) {
    return new Uint8Array(await crypto.subtle.sign('Ed25519', await privateKey(seed), bufferSource(message)));
  },
};

// RFC 8032 section 7.1, test 1: the seed, its public key and the signature of the empty message.
const TEST_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const TEST_PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const TEST_SIG = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

let installing: Promise<boolean> | null = null;

/**
 * Installs WebCrypto's Ed25519 for the asynchronous paths where this runtime has
 * one that gives RFC 8032's bytes (checked on a test vector); resolves false,
 * installing nothing, where it has none.
 */
export function installWebCryptoEd25519(): Promise<boolean> {
  installing ??= (async () => {
    try {
      const seed = hexDecode(TEST_SEED);
      const [pub, sig] = await Promise.all([webcryptoEd25519.getPublicKey(seed), webcryptoEd25519.sign(new Uint8Array(0), seed)]);
      if (hexEncode(pub) !== TEST_PUB || hexEncode(sig) !== TEST_SIG) return false;
      useEd25519Async(webcryptoEd25519);
      return true;
    } catch {
      return false;
    }
  })();
  return installing;
}
