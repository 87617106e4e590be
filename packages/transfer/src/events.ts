// The typed event stream of a transfer. The web store turns it into state, the
// CLI's progress bar into output; the engine never formats a message for a person.

import type { ErrorClass } from './errors.ts';

export type SendPhase = 'preparing' | 'checking' | 'uploading' | 'finalizing' | 'done';

export type TransferEvent =
  | { type: 'phase'; phase: SendPhase }
  | { type: 'created'; id: string }
  | { type: 'resumed'; id: string; partsOnServer: number; totalParts: number }
  /** A file starts again from its first part with a fresh salt; `old-journal`: its part digests are of an older version's kind, which no part made now can match. */
  | { type: 'file-restarted'; file: number; reason: 'changed' | 'date' | 'unknown-parts' | 'old-journal' }
  /** Ciphertext bytes checked on resume (re-made and compared with the journal). */
  | { type: 'checked'; file: number; bytes: number }
  /** Bytes of part `part` sent so far in this attempt (it restarts at 0 on a retry). */
  | { type: 'part-progress'; file: number; part: number; sent: number }
  /** A part is on the server: sent now, or (resumed) found there and re-checked. */
  | { type: 'part-done'; file: number; part: number; bytes: number; resumed?: boolean }
  | { type: 'hash-progress'; file: number; bytes: number }
  | { type: 'file-hashed'; file: number; sha256: string }
  /** Plaintext bytes of a received file that authenticated (delta). */
  | { type: 'received'; file: number; bytes: number }
  | { type: 'file-verified'; file: number; sha256: string }
  | { type: 'retry'; step: 'config' | 'create' | 'uploads' | 'part' | 'finalize' | 'info' | 'manifest' | 'file'; file?: number; part?: number; attempt: number; delayMs: number; kind: ErrorClass; offline: boolean; error: unknown }
  | { type: 'failure'; kind: ErrorClass; error: unknown };

export type EventSink = (e: TransferEvent) => void;
