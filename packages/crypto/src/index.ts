// @sealdrop/crypto: the Sealdrop v1 protocol. Universal code (browsers, Node >= 20,
// workerd) on WebCrypto, hash-wasm, @noble/curves, @noble/hashes and (X-Wing)
// @noble/post-quantum only.
export * from './constants.ts';
export * from './encoding.ts';
export * from './cobblestone.ts';
export { createDecryptor, createDecryptStream } from './decryptStream.ts';
export type { FrameDecryptor, PieceSink } from './decryptFrames.ts';
export * from './keys.ts';
export * from './access.ts';
export { useEd25519, useEd25519Async, warmEd25519, type Ed25519AsyncImpl, type Ed25519Impl } from './ed25519.ts';
export { installWebCryptoEd25519, webcryptoEd25519 } from './webcryptoEd25519.ts';
export * from './manifest.ts';
export * from './sha256.ts';
export * from './upload.ts';
export * from './partDigest.ts';
export * from './logchain.ts';
export * from './logexport.ts';
export * from './recipient-keys.ts';
export * from './stanza.ts';
