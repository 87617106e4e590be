// What a finished share leaves in this browser: its entry in "My links", the
// receipts it asked for, and the result the done page shows.
import { shareLinks, type SendResult as EngineResult } from '@sealdrop/transfer';
import { sealedFingerprints } from '../keys/sealedSend.ts';
import { saveMyLink } from '../links/myLinks.ts';
import type { SendJournal } from './journal.ts';
import { requestReceipts } from './receipts.ts';
import type { SendResult } from './uploadStore.ts';

/** `started`: performance.now() when the run began (for the average speed). */
export async function finishedShare(result: EngineResult, fileCount: number, started: number): Promise<SendResult> {
  const journal = result.journal as SendJournal;
  const remember = (journal.app?.remember ?? journal.remember) === true;
  // A sealed share's link holds no secret; the secret link stays available to copy on purpose.
  const { url, secretUrl } = shareLinks(location.origin, result);
  const sealedTo = sealedFingerprints(journal);
  saveMyLink({
    id: result.id,
    ownerToken: result.ownerToken,
    createdAt: journal.createdAt,
    expiresAt: result.expiresAt,
    maxDownloads: journal.maxDownloads,
    files: fileCount,
    hasPassword: !!journal.passwordSalt,
    ...(remember ? { url: secretUrl } : {}),
  });
  // Kept in the journal, so a resumed upload still asks for the receipts.
  const notifyUrl = typeof journal.app?.notifyUrl === 'string' ? journal.app.notifyUrl : null;
  const receipt = notifyUrl ? await requestReceipts(result.id, result.ownerToken, notifyUrl) : undefined;
  const seconds = (performance.now() - started) / 1000;
  const done: SendResult = {
    id: result.id,
    ownerToken: result.ownerToken,
    url,
    expiresAt: result.expiresAt,
    expiresIn: journal.expiresIn,
    maxDownloads: journal.maxDownloads,
    hasPassword: !!journal.passwordSalt,
    files: result.files,
    averageSpeed: seconds > 0 ? result.sentBytes / seconds : 0,
    seconds,
    ...(sealedTo.length ? { sealedTo, secretUrl } : {}),
    ...(receipt ? { receipt } : {}),
  };
  return done;
}
