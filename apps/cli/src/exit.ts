// Exit codes are part of the CLI's interface (documented in --help and the README):
//   0 ok, 1 usage, 2 network or server, 3 integrity or signature failure,
//   4 not found, expired, revoked or exhausted.
// Every failure becomes a CliError carrying its code and a message that says what
// happened and what to do. Messages never contain a link secret or an owner token.

import { ApiError } from '@sealdrop/shared/errors';
import { CobblestoneError, LinkError, ManifestError } from '@sealdrop/crypto';
import { MinisignError } from './minisign/format.ts';
import { NOT_SEALDROP } from './serverCheck.ts';

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

/** A share that requires a partner token, and none was given. */
export function partnerTokenMissing(): CliError {
  return new CliError(EXIT.usage, 'This share opens only with a partner token: give --token TOKEN or set SEALDROP_TOKEN.');
}

/** Server text on a terminal: no control characters or bidi overrides. */
export const printable = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

/**
 * Turns an answer of the server into a CliError: one sentence of what happened,
 * one of what to do. `context` 'File' marks an answer in the middle of a download.
 */
export function fromApiError(e: ApiError, context = ''): CliError {
  const err = (code: ExitCode, msg: string) => new CliError(code, context === 'File' ? `The download stopped. ${msg}` : msg);
  if ((e.code as string) === NOT_SEALDROP) return new CliError(EXIT.network, e.message);
  switch (e.code) {
    case 'not_found':
      return err(EXIT.gone, 'The share was not found: it does not exist, was never finished, or has been deleted. Check the link with the sender.');
    case 'expired':
      return err(EXIT.gone, 'The share has expired. Ask the sender for a new link.');
    case 'revoked':
      // An advisory replaces the generic sentence (plain text; controls shown as '?').
      if (e.advisory) return err(EXIT.gone, `The share was withdrawn. Notice: ${printable(e.advisory)}`);
      return err(EXIT.gone, 'The share was revoked by its sender or an administrator. Ask the sender if you still need the files.');
    case 'frozen':
      return err(EXIT.network, `${printable(e.message)}. Try again later.`);
    case 'exhausted':
      return err(EXIT.gone, 'The share has no downloads left. Ask the sender for a new link.');
    case 'unauthorized':
      return err(EXIT.integrity, 'The server refused the link: it is damaged or incomplete. Copy the whole link again, everything after the # included.');
    case 'forbidden':
      return err(EXIT.integrity, 'Wrong password. Check it with the sender (it is case-sensitive), then try again.');
    case 'partner_token_required':
      return partnerTokenMissing();
    case 'partner_token_refused':
      return err(EXIT.integrity, `The server refused the partner token (${printable(e.message)}). Ask the sender for a token that opens this share.`);
    case 'place_refused':
      return err(EXIT.integrity, `${printable(e.message)}. The sender restricted where this share can be opened from; open it from an allowed place or ask the sender.`);
    case 'rate_limited':
      return err(EXIT.network, `Too many attempts: the server is slowing down requests. Try again ${e.retryAfter ? `in ${e.retryAfter} s` : 'later'}.`);
    case 'network':
      return err(EXIT.network, `${e.message}. Check the server URL and your connection, then run the command again.`);
    case 'too_large':
      return err(EXIT.usage, `Too large for this server (${e.message}). Send fewer or smaller files.`);
    case 'bad_request':
    case 'unsupported_media_type':
    case 'conflict':
    case 'range_not_satisfiable':
      return err(EXIT.network, `The server rejected the request (${e.status} ${e.code}: ${e.message}). Check that the CLI and the server are up to date.`);
    default:
      return err(EXIT.network, `The server answered ${e.status} ${e.code} (${e.message}). Try again later.`);
  }
}

/** Any thrown value as a CliError. */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof ApiError) return fromApiError(e);
  if (e instanceof CobblestoneError) return new CliError(EXIT.integrity, `Integrity check failed: ${e.message}. Nothing was saved.`);
  if (e instanceof ManifestError) return new CliError(EXIT.integrity, `${e.message}. Refusing this share; nothing was saved.`);
  // A missing, truncated or altered key: the link is damaged (exit 3, as README says).
  if (e instanceof LinkError) return new CliError(EXIT.integrity, e.message);
  if (e instanceof MinisignError) return new CliError(EXIT.integrity, `minisign: ${e.message}`);
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    const file = err.path ? ` ${err.path}` : '';
    if (err.code === 'ENOENT') return new CliError(EXIT.usage, `No such file or directory:${file}`);
    if (err.code === 'EACCES' || err.code === 'EPERM') return new CliError(EXIT.usage, `Permission denied:${file}`);
    if (err.code === 'ENOSPC') return new CliError(EXIT.usage, `No space left on the device${file ? ` (writing${file})` : ''}.`);
    return new CliError(EXIT.usage, `${err.code}${file}: ${err.message}`);
  }
  // A stack trace helps a developer, not a user: only with SEALDROP_DEBUG=1.
  const detail = process.env.SEALDROP_DEBUG ? ((e as Error)?.stack ?? String(e)) : ((e as Error)?.message ?? String(e));
  return new CliError(EXIT.network, `Unexpected error: ${detail}. Try again; if it keeps happening, run with SEALDROP_DEBUG=1 and report the output.`);
}
