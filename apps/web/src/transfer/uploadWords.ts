// The send flow's problems and failures in this page's words: the server's
// limits against a selection, the share rules' fields, and what went wrong.
import { SourceChangedError } from '@sealdrop/crypto';
import { ApiError, shareRulesProblems, splitList, type ConfigResponse, type ShareRules } from '@sealdrop/shared';
import { planSend, PlanError, TransferError, type SendProblem } from '@sealdrop/transfer';
import type { SendJournal } from './journal.ts';
import type { SendFileInput } from './sendInput.ts';

/** The Options' partner fields (typed text) as share rules. */
export function rulesFromFields(f: { labels: string; requireLabel: string }): ShareRules {
  const labels = splitList(f.labels);
  const requireLabel = f.requireLabel.trim();
  return { ...(labels.length ? { labels } : {}), ...(requireLabel ? { requireLabel } : {}) };
}

const RULE_FIELD: Record<string, string> = { labels: 'Labels', requireLabel: 'Require a partner token with label' };
/** The shared validators' verdict on the rules, in the Options' field names. */
export const checkRules = (r: ShareRules): string[] => shareRulesProblems(r).map((p) => p.replace(/^(\w+)/, (f) => RULE_FIELD[f] ?? f));

/** An error whose message is meant for the user as is. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly kind: 'input' | 'password' | 'gone' | 'changed_size' | 'server' = 'server',
  ) {
    super(message);
  }
}

export function wordProblem(p: SendProblem): string {
  switch (p.kind) {
    case 'no_files':
      return 'Add at least one file, or write a note to send on its own.';
    case 'bad_names':
      return p.message;
    case 'too_many_files':
      return `This server takes at most ${p.max} files in one share.`;
    case 'file_too_large':
      return `"${p.name}" is larger than this server accepts for one file.`;
    case 'share_too_large':
      return 'Together the files are larger than this server accepts for one share.';
    case 'expiry_too_long':
      return 'This server does not keep shares that long.';
    case 'too_many_downloads':
      return `This server allows at most ${p.max} downloads per share.`;
    case 'token_required':
      return 'This server accepts uploads only with an upload token.';
  }
}

const asPlanInput = (files: SendFileInput[]) => ({ files: files.map((f) => ({ name: f.name, size: f.file.size })) });
/** What the selection itself can get wrong (the page's fields keep the expiry, downloads and token within bounds). */
const SELECTION_PROBLEMS = new Set<SendProblem['kind']>(['no_files', 'bad_names', 'too_many_files', 'file_too_large', 'share_too_large']);

/** The server's limits (GET /api/config) against the selection: problems in plain words. */
export function checkLimits(files: SendFileInput[], config: ConfigResponse | undefined): string[] {
  if (!config || files.length === 0) return [];
  return planSend(config, asPlanInput(files))
    .filter((p) => p.kind !== 'bad_names' && SELECTION_PROBLEMS.has(p.kind))
    .map(wordProblem);
}

/** Names (each name's rules, then duplicates) and limits, before anything is sent. A note may go on its own. */
export function checkSelection(files: SendFileInput[], config: ConfigResponse | undefined, note?: string): string[] {
  const problems = planSend(config ?? ({ maxFiles: Infinity, maxFileBytes: Infinity, maxShareBytes: Infinity } as ConfigResponse), { ...asPlanInput(files), note });
  return problems.filter((p) => SELECTION_PROBLEMS.has(p.kind)).map(wordProblem);
}

/** The engine's typed failures in this page's words. `files`: the files of the run (to name one that changed size). */
export function explain(e: unknown, journal: SendJournal | null, files: SendFileInput[] = []): SendError | unknown {
  if (e instanceof PlanError) return new SendError(e.problems.map(wordProblem).join('\n'), 'input');
  if (!(e instanceof TransferError)) return e;
  switch (e.reason) {
    case 'wrong_password':
      return new SendError('That is not the password this upload was started with.', 'password');
    case 'password_required':
      return new SendError('This upload has a password: enter it again to resume.', 'password');
    case 'upload_gone':
      return new SendError('The server no longer holds this upload (it was cancelled, expired or swept). Send the files again.', 'gone');
    case 'changed_size': {
      // The share declared each file's size at create: it cannot take another one (the adapter cancels it).
      const i = files.findIndex((f, k) => f.file.size !== journal?.sizes[k]);
      const name = journal && i >= 0 ? journal.names[i] : 'A file';
      return new SendError(`"${name}" changed size since the upload began, so the interrupted share cannot take it. It was cancelled; send the files again.`, 'changed_size');
    }
    case 'file_changed':
      return new SourceChangedError(0);
    default:
      return new SendError(e.message, e.kind === 'gone' ? 'gone' : 'input');
  }
}

export function describe(e: unknown): string {
  if (e instanceof SendError) return e.message;
  if (e instanceof SourceChangedError) return 'A file changed on disk while it was being sent. Send it again.';
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'network':
        return 'Cannot reach the server. Check the connection and try again.';
      case 'too_large':
        return 'The server refused the files: they are larger than it accepts.';
      case 'rate_limited':
        return 'The server is limiting uploads right now. Wait a minute and try again.';
      case 'unauthorized':
        return 'This server accepts uploads only with a valid upload token: check the token and try again.';
      case 'revoked':
      case 'expired':
      case 'not_found':
        return 'The server no longer holds this upload. Send the files again.';
      default:
        return `The server refused the upload: ${e.message}`;
    }
  }
  if ((e as Error)?.name === 'NotReadableError') return 'A file could not be read (it was moved, changed or deleted while sending).';
  return `Something went wrong: ${(e as Error)?.message ?? String(e)}`;
}
