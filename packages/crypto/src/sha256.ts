// Streaming SHA-256 of plaintext (hash-wasm: WebAssembly, same speed everywhere).

import { createSHA256 } from 'hash-wasm';

export interface Sha256 {
  update(data: Uint8Array): void;
  digestHex(): string;
}

export async function createSha256(): Promise<Sha256> {
  const h = await createSHA256();
  h.init();
  return {
    update(data) {
      h.update(data);
    },
    digestHex() {
      return h.digest('hex');
    },
  };
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const h = await createSha256();
  h.update(data);
  return h.digestHex();
}
