// Passwords come from a file, from stdin, or from a prompt on the terminal; never
// from the command line (it would sit in shell history and in `ps`).

import { readFile } from 'node:fs/promises';
import { usage } from './exit.ts';

/** Drops one trailing newline (LF or CRLF), as a file written by `echo` or an editor ends. */
function stripNewline(s: string): string {
  return s.replace(/\r?\n$/, '');
}

export async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw usage(`Cannot read the password file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const pw = stripNewline(text);
  if (pw.length === 0) throw usage(`The password file ${file} is empty.`);
  return pw;
}

export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readPasswordStdin(): Promise<string> {
  const pw = stripNewline(await readStdinText());
  if (pw.length === 0) throw usage('--password-stdin: nothing was read from stdin.');
  return pw;
}

export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/** Reads a line from the terminal without echo. */
export function promptHidden(prompt: string): Promise<string> {
  if (!canPrompt()) return Promise.reject(usage('A password is needed but there is no terminal to ask on: use --password-file FILE.'));
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let buf = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(usage('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') buf = [...buf].slice(0, -1).join('');
        else if (ch >= ' ') buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export interface PasswordFlags {
  'password-file'?: string;
  'password-stdin'?: boolean;
}

/**
 * The share password, NFC-normalised (DESIGN.md), or null when none was asked for.
 * `ask` prompts on the terminal when no flag gave one.
 */
export async function sharePassword(flags: PasswordFlags, ask: string | null = null): Promise<string | null> {
  if (flags['password-file'] && flags['password-stdin']) throw usage('Use either --password-file or --password-stdin, not both.');
  let pw: string | null = null;
  if (flags['password-file']) pw = await readPasswordFile(flags['password-file']);
  else if (flags['password-stdin']) pw = await readPasswordStdin();
  else if (ask) pw = await promptHidden(ask);
  return pw === null ? null : pw.normalize('NFC');
}
