// Transfer state of the one upload this page runs, for the components to render.
// Only src/transfer/upload.ts and uploadRun.ts (its events) write it.
import { create } from 'zustand';
import type { ReceiptOutcome } from './receipts.ts';

export type UploadPhase =
  | 'idle'
  | 'preparing' // deriving keys, creating the share
  | 'checking' // resume: re-making parts already sent and comparing digests
  | 'uploading'
  | 'finalizing'
  | 'done'
  | 'error';

export type FileStatus = 'waiting' | 'sending' | 'hashing' | 'done';

export interface FileProgress {
  name: string;
  /** Plaintext bytes. */
  size: number;
  /** Ciphertext bytes on the server (or on their way, for the part in flight). */
  sent: number;
  /** Ciphertext size. */
  total: number;
  status: FileStatus;
  sha256?: string;
}

export interface SendResult {
  id: string;
  ownerToken: string;
  url: string;
  expiresAt: string;
  expiresIn: number;
  maxDownloads: number;
  hasPassword: boolean;
  files: { name: string; size: number; sha256: string }[];
  /** Measured upload speed over the whole transfer (ciphertext bytes per second). */
  averageSpeed: number;
  seconds: number;
  /** v1.1: fingerprints the share is sealed to (then `url` holds no secret, `secretUrl` does). */
  sealedTo?: string[];
  secretUrl?: string;
  /** Owner receipts asked for on the send page's options: the secret (once) or why it failed. */
  receipt?: ReceiptOutcome;
}

export interface UploadState {
  phase: UploadPhase;
  files: FileProgress[];
  sent: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  speed: number;
  /** Seconds left at the current speed (NaN when unknown). */
  eta: number;
  /** A transient problem being worked around ("connection lost, retrying"). */
  notice: string | null;
  /** Waiting out a transient failure: the next attempt is at `until` (ms) unless "Retry now". */
  waiting: { until: number; reason: string } | null;
  /** Why the upload stopped (phase 'error'). */
  error: string | null;
  /** Whether resuming from the journal is possible after an error. */
  canResume: boolean;
  resumed: boolean;
  result: SendResult | null;
}

export const initialUploadState: UploadState = {
  phase: 'idle',
  files: [],
  sent: 0,
  total: 0,
  speed: 0,
  eta: Number.NaN,
  notice: null,
  waiting: null,
  error: null,
  canResume: false,
  resumed: false,
  result: null,
};

export const useUploadStore = create<UploadState>(() => ({ ...initialUploadState }));
