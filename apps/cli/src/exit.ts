// Exit codes are part of the CLI's interface (documented in --help and the README):
//   0 ok, 1 usage, 2 network or server, 3 integrity or signature failure,
//   4 not found, expired, revoked or exhausted.
// Every failure becomes a CliError carrying its code and a message that says what
// happened and what to do. Messages never contain a link secret or an owner token.

import { ApiError } from '@sealdrop/shared/errors';
import { CobblestoneError, LinkError, ManifestError } from '@sealdrop/crypto';
import { MinisignError } from './minisign/format.ts';

export const EXIT = {
  ok: 0,
  usage: 1,
  network: 2,
  integrity: 3,
  gone: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  usage error (bad arguments, missing password, file exists without --force)
  2  network or server error (retry later)
  3  integrity or signature failure (wrong password, damaged link, tampered data,
     unsafe file names, bad or missing signature)
  4  not found, expired, revoked or exhausted (download limit reached)`;

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const usage = (msg: string) => new CliError(EXIT.usage, msg);
export const integrity = (msg: string) => new CliError(EXIT.integrity, msg);

/** Turns an answer of the server into a CliError with advice. `what` names the object ("share"). */
/** A share that requires a partner token, and none was given. */
export function partnerTokenMissing(): CliError {
  return new CliError(EXIT.usage, 'This share opens only with a partner token: give --token TOKEN or set SEALDROP_TOKEN.');
}

export function fromApiError(e: ApiError, context = ''): CliError {
  const where = context ? `${context}: ` : '';
  switch (e.code) {
    case 'not_found':
      return new CliError(EXIT.gone, `${where}not found. The share does not exist, was never finished, or has been deleted.`);
    case 'expired':
      return new CliError(EXIT.gone, `${where}the share has expired. Ask the sender for a new link.`);
    case 'revoked':
      return new CliError(EXIT.gone, `${where}the share was revoked by its sender or an administrator.`);
    case 'exhausted':
      return new CliError(EXIT.gone, `${where}the share has no downloads left. Ask the sender for a new link.`);
    case 'unauthorized':
      return new CliError(EXIT.integrity, `${where}the server refused the link proof (${e.message}). The link is damaged or incomplete: copy the whole link again.`);
    case 'forbidden':
      return new CliError(EXIT.integrity, `${where}wrong password (${e.message}).`);
    case 'partner_token_required':
      return partnerTokenMissing();
    case 'partner_token_refused':
      return new CliError(EXIT.integrity, `${where}the server refused the partner token (${e.message}). Ask the sender for a token that opens this share.`);
    case 'place_refused':
      return new CliError(EXIT.integrity, `${where}${e.message}. The sender restricted where this share can be opened from.`);
    case 'rate_limited':
      return new CliError(EXIT.network, `${where}too many attempts; try again${e.retryAfter ? ` in ${e.retryAfter} s` : ' later'}.`);
    case 'network':
      return new CliError(EXIT.network, `${where}${e.message}. Check the server URL and your connection, then run the command again.`);
    case 'too_large':
      return new CliError(EXIT.usage, `${where}too large for this server (${e.message}).`);
    case 'bad_request':
    case 'unsupported_media_type':
    case 'conflict':
    case 'range_not_satisfiable':
      return new CliError(EXIT.network, `${where}the server rejected the request (${e.status} ${e.code}: ${e.message}).`);
    default:
      return new CliError(EXIT.network, `${where}server error (${e.status} ${e.code}: ${e.message}). Try again later.`);
  }
}

/** Any thrown value as a CliError. */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ApiError) return fromApiError(e);
  if (e instanceof CobblestoneError) return new CliError(EXIT.integrity, `Integrity check failed: ${e.message}. Nothing was saved.`);
  if (e instanceof ManifestError) return new CliError(EXIT.integrity, `${e.message}. Refusing this share; nothing was saved.`);
  if (e instanceof LinkError) return new CliError(EXIT.usage, e.message);
  if (e instanceof MinisignError) return new CliError(EXIT.integrity, `minisign: ${e.message}`);
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    const file = err.path ? ` ${err.path}` : '';
    if (err.code === 'ENOENT') return new CliError(EXIT.usage, `No such file or directory:${file}`);
    if (err.code === 'EACCES' || err.code === 'EPERM') return new CliError(EXIT.usage, `Permission denied:${file}`);
    if (err.code === 'ENOSPC') return new CliError(EXIT.usage, `No space left on the device${file ? ` (writing${file})` : ''}.`);
    return new CliError(EXIT.usage, `${err.code}${file}: ${err.message}`);
  }
  return new CliError(EXIT.network, `Unexpected error: ${(e as Error)?.stack ?? String(e)}`);
}
