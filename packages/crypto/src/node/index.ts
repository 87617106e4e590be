// Node-only helpers for the CLI.
import { open } from 'node:fs/promises';
import type { PlaintextSource } from '../cobblestone.ts';

export interface FileSource extends PlaintextSource {
  close(): Promise<void>;
}

/** A plaintext source backed by a file handle (positional reads, nothing buffered). */
export async function fileSource(path: string): Promise<FileSource> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? buf : buf.subarray(0, got);
    },
    close: () => fh.close(),
  };
}

export { createNodeDecryptor, createNodeDecryptStream } from './decryptStream.ts';
export { installNodeEd25519, nodeEd25519 } from './ed25519.ts';
