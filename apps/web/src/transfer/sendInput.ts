// What a page hands the send adapter: the files with their manifest names, the
// options of a new share, and the re-selected files of a resume.
import type { Recipient } from '@sealdrop/crypto';
import type { ConfigResponse, ShareRules } from '@sealdrop/shared';
import type { SendJournal } from './journal.ts';

export interface SendFileInput {
  /** Relative, "/"-separated name as it goes into the manifest. */
  name: string;
  file: File;
}

export interface SendOptions {
  expiresIn: number;
  maxDownloads: number;
  password: string | null;
  /** Keep the full link (with its key) in this browser's "My links". */
  remember: boolean;
  /** Bearer token for servers whose uploadPolicy is "token". */
  uploadToken?: string;
  /** A message for the recipient, in the sealed manifest. */
  note?: string;
  /** v1.1: seal the share to these public keys; the link then holds no secret. */
  recipients?: Recipient[];
  /** v1.1: a file request's id (its key is the one recipient). */
  request?: string;
  /** Owner receipts: a URL told of this share's events, registered once the share exists. */
  notifyUrl?: string;
  /** Partner access: labels and the label a recipient's partner token must carry. */
  rules?: ShareRules;
  /** The server's GET /api/config the page already holds: the send then does not ask again (one round trip less). */
  config?: ConfigResponse;
}

export interface ResumeInput {
  journal: SendJournal;
  /** The re-selected files, matched to the journal by name. */
  files: SendFileInput[];
  password?: string;
  /** Already derived (an in-session retry). */
  passwordKey?: Uint8Array | null;
}
