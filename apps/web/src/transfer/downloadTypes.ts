// The messages between the page and whatever decrypts a download (the /dl/
// service worker, or the fallback Web Worker). Plain data only: they cross
// postMessage.

/** One file to fetch, decrypt and check, as the decrypted manifest describes it. */
export interface DownloadFile {
  /** Index in the manifest (and on the server). */
  index: number;
  /** Cobblestone input key of this file (HKDF from S || P). */
  key: Uint8Array;
  /** Plaintext size from the manifest: the ciphertext must be exactly ciphertextSize(size). */
  size: number;
  /** Relative path from the manifest (already checked by the name rules). */
  name: string;
  /** Lowercase hex SHA-256 of the plaintext from the manifest. */
  sha256: string;
  lastModified?: number;
}

/** One browser download: a single file, or several files as one ZIP. */
export interface DownloadJob {
  id: string;
  grant: string;
  files: DownloadFile[];
  /** Set for a ZIP download (the file name of the archive). */
  zipName?: string;
  /** Small text files stored in the ZIP after the files (each signed file's NAME.minisig). */
  extras?: ZipExtra[];
}

export interface ZipExtra {
  name: string;
  text: string;
  lastModified: number;
}

export type DownloadErrorKind =
  | 'integrity' // authentication or SHA-256 failure: the bytes are not what the sender sent
  | 'expired'
  | 'revoked'
  | 'exhausted'
  | 'not_found'
  | 'grant' // the grant was refused (expired after hours, or invalid)
  | 'rate_limited'
  | 'network'
  | 'canceled'
  | 'storage' // the browser could not write the file
  | 'other';

export interface DownloadFailure {
  kind: DownloadErrorKind;
  message: string;
  /** Manifest index of the file that failed, when one did. */
  file?: number;
}

/** Worker → page. */
export type DownloadEvent =
  | { type: 'accepted' }
  | { type: 'started' }
  | { type: 'progress'; file: number; bytes: number }
  | { type: 'retry'; file: number; attempt: number }
  | { type: 'file-done'; file: number; sha256: string }
  | { type: 'done'; blob?: Blob }
  | { type: 'error'; error: DownloadFailure };

/**
 * Page → service worker (with a MessagePort for the events). The page sends the
 * job as soon as the user clicks, with `job.grant` empty, and navigates to
 * /dl/<token> while the grant is on its way; the grant follows over the port
 * (SwGrantMessage). The worker answers the navigation only once it has the grant.
 */
export interface SwJobMessage {
  type: 'job';
  v: 2;
  token: string;
  job: DownloadJob;
}

/** Page → service worker, over the job's port: the grant, or that there is none (nothing is downloaded). */
export type SwGrantMessage = { type: 'grant'; grant: string } | { type: 'no-grant' } | { type: 'cancel' };

/** Page → fallback Web Worker. */
export interface WorkerJobMessage {
  type: 'job';
  job: DownloadJob;
  /** Write here (File System Access API); without it the worker answers with a Blob. */
  handle?: FileSystemFileHandle;
}
