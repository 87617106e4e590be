// The send flow's problems and failures in the CLI's words and exit codes.

import { ApiError, formatBytes as humanBytes, type ConfigResponse } from '@sealdrop/shared';
import { classify, PlanError, TransferError, type CannotContinue, type SendProblem } from '@sealdrop/transfer';
import { CliError, EXIT, toCliError, usage } from '../exit.ts';

export function wordProblem(p: SendProblem, o: { uploadToken?: string }, config: ConfigResponse): string {
  switch (p.kind) {
    case 'no_files':
      return 'Give at least one file.';
    case 'bad_names':
      return p.message;
    case 'too_many_files':
      return `This server takes at most ${p.max} files per share (${p.count} given).`;
    case 'file_too_large':
      return `${p.name} is too large for this server (${humanBytes(p.size)}; the limit is ${humanBytes(p.max)} per file).`;
    case 'share_too_large':
      return `These files are too large together for this server (${humanBytes(p.total)}; the limit is ${humanBytes(p.max)} per share).`;
    case 'expiry_too_long':
      return `--expires is longer than this server allows (at most ${Math.floor(config.maxExpirySeconds / 3600)} h).`;
    case 'too_many_downloads':
      return `--downloads is more than this server allows (at most ${p.max}).`;
    case 'token_required':
      return o.uploadToken ? 'The server refused the upload token.' : 'This server needs an upload token: use --token TOKEN or set SEALDROP_TOKEN.';
  }
}

/** Why an interrupted journal is given up, in a line before "Starting a new share." (the engine's message names the resized file). */
export function abandonWords(reason: CannotContinue, e: TransferError): string {
  switch (reason) {
    case 'other_files':
      return 'The interrupted upload was for other files.';
    case 'changed_size':
      return e.message;
    case 'password_required':
    case 'password_differs':
      return 'The password option differs from the interrupted upload.';
    case 'wrong_password':
      return 'The password differs from the one of the interrupted upload.';
    case 'upload_gone':
      return 'The interrupted share is no longer usable on the server.';
  }
}

/** The engine's failures as the CLI's exit codes and advice. */
export function cliFailure(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof PlanError) return usage(e.message);
  if (e instanceof TransferError && e.reason === 'file_changed') {
    return new CliError(EXIT.usage, `${e.message.replace(/\.$/, '')}. Run the same command again: it will restart that file with a fresh salt.`);
  }
  const kind = classify(e);
  const err = toCliError(e);
  // A part stored as often as allowed, or a share that stopped taking parts: running again cannot help.
  if (e instanceof ApiError && e.code === 'conflict') return new CliError(err.code, `The upload cannot continue: ${e.message}.`);
  if (kind === 'unauthorized' || kind === 'forbidden') {
    return usage(`The server refused the upload token (${err.message}). Check --token or SEALDROP_TOKEN.`);
  }
  return new CliError(err.code, `The upload stopped: ${err.message.replace(/\.$/, '')}. Run the same command again to resume where it stopped.`);
}
