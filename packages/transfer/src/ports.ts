// What each app gives the engine. The engine derives every key, draws every
// salt and compares every part digest itself: a port only does the work that
// depends on where it runs (a worker pool and Blobs, or a file handle).

import type { MessageKeys } from '@sealdrop/crypto';
import type { SendJournal } from './journal.ts';

/** One part to make: ciphertext bytes [start, end) of file `file`'s message under `keys`. */
export interface PartRequest {
  file: number;
  part: number;
  start: number;
  end: number;
  /** Message keys (they include the salt the engine drew or resumed). */
  keys: MessageKeys;
  /** The same, for a maker that derives keys elsewhere (a Web Worker). */
  inputKey: Uint8Array;
  context: Uint8Array;
  salt: Uint8Array;
}

export interface MadePart<Body> {
  /** A request body the sender port can send (a Blob, a streamed body). */
  body: Body;
  /** The part digest of exactly the bytes `body` will send (@sealdrop/crypto encryptPartWithDigest, PartDigest: from the chunks' tags). */
  sha256: string;
  length: number;
  /** The engine is done with `body` (sent, or given up): a maker that reuses its buffers takes it back. */
  release?(): void;
}

export interface PartMaker<Body> {
  make(req: PartRequest, signal: AbortSignal): Promise<MadePart<Body>>;
  /** File `file` has no more parts to make in this run (close its handle). */
  done?(file: number): Promise<void>;
}

export interface PartUpload<Body> {
  id: string;
  ownerToken: string;
  file: number;
  part: number;
  body: Body;
  signal: AbortSignal;
  /** Bytes of this attempt sent so far. */
  onProgress(sent: number): void;
}

/** Sends one part body (default: the typed client's putPart). */
export type PartSender<Body> = (u: PartUpload<Body>) => Promise<void>;

/** Where the send journal lives (IndexedDB; a 0600 file). It holds S: delete it after finalize. */
export interface JournalStore {
  save(j: SendJournal): Promise<void>;
  remove(j: SendJournal): Promise<void>;
}

export interface FileHash {
  sha256: string;
  /** A minisign signature of the file for the manifest (CLI --sign). */
  minisig?: string | null;
}

/** Whole-file plaintext SHA-256 for the manifest. */
export interface PlaintextHasher {
  hash(file: number, onBytes: (n: number) => void, signal: AbortSignal): Promise<FileHash>;
}

/** Argon2id of the password (the browser runs it in a worker). */
export type PasswordKdf = (password: string, salt: Uint8Array) => Promise<Uint8Array>;

/** Where authenticated plaintext of a received file goes. Only chunks that verified are written. */
export interface PlaintextSink {
  write(chunk: Uint8Array, position: number): Promise<void>;
  /** Everything written so far is durable (before a checkpoint, and at the end). */
  flush?(): Promise<void>;
}

/** Incremental hash of received plaintext (default: packages/crypto's SHA-256; the CLI passes node's). */
export interface IncrementalHash {
  update(data: Uint8Array): void;
  digestHex(): string;
  /** An independent hash of the bytes so far (for a receive journal's checkpoints). */
  copy?(): IncrementalHash;
}
