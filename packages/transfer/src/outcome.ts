// What both apps do with the end of a send, alike: the link of the new share,
// and giving up an interrupted one that cannot continue.

import { TransferError } from './errors.ts';
import type { SendJournal } from './journal.ts';
import type { JournalStore } from './ports.ts';

/** The links of a finished share: `url` is the one to give out. */
export interface ShareLinks {
  url: string;
  /** The link with the secret S after '#' (for a sealed share: only for the sender's own copy). */
  secretUrl: string;
  /** The share is sealed to recipients' keys: its link holds no secret. */
  sealed: boolean;
}

/** A sealed share's link is `/s/ID` (only the recipients' keys open it), any other `/s/ID#secret`. */
export function shareLinks(origin: string, r: { id: string; secret: string; journal: Pick<SendJournal, 'recipients'> }): ShareLinks {
  const plain = `${origin.replace(/\/+$/, '')}/s/${r.id}`;
  const secretUrl = `${plain}#${r.secret}`;
  const sealed = (r.journal.recipients?.length ?? 0) > 0;
  return { url: sealed ? plain : secretUrl, secretUrl, sealed };
}

/**
 * The engine's reasons that mean "this journal cannot continue": its share
 * must be given up and the files sent as a new share. Anything else (a network
 * outage, a file changed while it was read) is resumed with the same journal.
 */
export const CANNOT_CONTINUE = ['other_files', 'changed_size', 'password_required', 'password_differs', 'wrong_password', 'upload_gone'] as const;
export type CannotContinue = (typeof CANNOT_CONTINUE)[number];

/** The reason when `e` says the interrupted journal cannot continue, else null. */
export function cannotContinue(e: unknown): CannotContinue | null {
  return e instanceof TransferError && (CANNOT_CONTINUE as readonly string[]).includes(e.reason) ? (e.reason as CannotContinue) : null;
}

/** Gives up an interrupted upload: revokes its share (best effort: it may be gone) and removes the journal. */
export async function abandonSend(client: { revoke(id: string, ownerToken: string): Promise<unknown> }, journal: SendJournal, store: Pick<JournalStore, 'remove'>): Promise<void> {
  await Promise.all([store.remove(journal).catch(() => {}), client.revoke(journal.id, journal.ownerToken).catch(() => {})]);
}
