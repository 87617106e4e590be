// Browser-only: the Web Worker pool for the sender's heavy crypto.
export { createCryptoPool, type CryptoPool, type CryptoPoolStats } from './pool.ts';
