// Ed25519 of share keys and access signatures (keys.ts, access.ts): @noble/curves
// everywhere, unless a runtime with a native one installs it (the CLI, node:crypto;
// issue 11: noble's first use builds its base-point table, ~40 ms of a 1 KiB send).
// RFC 8032 signing is deterministic, so either gives the same bytes.
import { ed25519 } from '@noble/curves/ed25519.js';

export interface Ed25519Impl {
  /** The 32-byte public key of a 32-byte seed. */
  getPublicKey(seed: Uint8Array): Uint8Array;
  /** The 64-byte signature of `message` under `seed`. */
  sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
}

const noble: Ed25519Impl = { getPublicKey: (seed) => ed25519.getPublicKey(seed), sign: (message, seed) => ed25519.sign(message, seed) };
let impl = noble;

/** Installs a native Ed25519 (null: back to @noble/curves). */
export function useEd25519(native: Ed25519Impl | null): void {
  impl = native ?? noble;
}

export const edPublicKey = (seed: Uint8Array): Uint8Array => impl.getPublicKey(seed);
export const edSign = (message: Uint8Array, seed: Uint8Array): Uint8Array => impl.sign(message, seed);

/** An Ed25519 that answers asynchronously (WebCrypto's, webcryptoEd25519.ts). */
export interface Ed25519AsyncImpl {
  getPublicKey(seed: Uint8Array): Promise<Uint8Array>;
  sign(message: Uint8Array, seed: Uint8Array): Promise<Uint8Array>;
}
let asyncImpl: Ed25519AsyncImpl | null = null;

/**
 * Installs an asynchronous Ed25519 for the paths that can wait (deriveShareKeys,
 * signAccessAsync); null: those use the synchronous one again.
 */
export function useEd25519Async(native: Ed25519AsyncImpl | null): void {
  asyncImpl = native;
}

export const edPublicKeyAsync = async (seed: Uint8Array): Promise<Uint8Array> => (asyncImpl ? asyncImpl.getPublicKey(seed) : impl.getPublicKey(seed));
export const edSignAsync = async (message: Uint8Array, seed: Uint8Array): Promise<Uint8Array> => (asyncImpl ? asyncImpl.sign(message, seed) : impl.sign(message, seed));

/** The implementation whose table warmEd25519 built already. */
let warmed: Ed25519Impl | null = null;

/**
 * Builds the base-point table of the Ed25519 in use now (once per
 * implementation), so the next key derivation does not: a share link's page
 * without WebCrypto's Ed25519 calls it while the share's GET is out (in
 * Chromium the first derivation costs ~30-40 ms).
 */
export function warmEd25519(): void {
  if (warmed === impl) return;
  warmed = impl;
  impl.getPublicKey(new Uint8Array(32));
}
