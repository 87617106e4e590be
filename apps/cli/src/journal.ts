// The CLI's resume journal (DESIGN.md "One salt, one plaintext"): a 0600 JSON file
// under $XDG_STATE_HOME/sealdrop (or ~/.local/state/sealdrop), named by a hash of
// the server, the absolute paths and the options, so running the same `send`
// again finds it. It holds the link secret S, so it is deleted after finalize.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResumeJournal } from '@sealdrop/crypto';

export interface CliJournal extends ResumeJournal {
  v: 1;
  server: string;
  createdAt: string;
  /** Names in the manifest, in file order. */
  names: string[];
  /** Absolute paths of the files, in file order. */
  paths: string[];
  /** Password salt (b64u) when the share has a password. */
  pwSalt: string | null;
  /** b64u authPub registered at create: a changed password is noticed on resume. */
  authPub: string;
  /** Plaintext SHA-256 (hex) per file, with the size and mtime it was computed for. */
  hashes: ({ sha256: string; minisig: string | null; size: number; mtimeMs: number } | null)[];
  /** The sealed manifest (b64u), kept from before finalize so a retried finalize sends the same bytes. */
  manifest: string | null;
  expiresIn: number;
  maxDownloads: number;
}

export function stateDir(): string {
  const base = process.env.XDG_STATE_HOME && path.isAbsolute(process.env.XDG_STATE_HOME) ? process.env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'sealdrop');
}

/** The journal's file for one set of arguments. */
export function journalPath(key: { server: string; paths: string[]; options: Record<string, unknown> }): string {
  const digest = createHash('sha256').update(JSON.stringify(['sealdrop-send-v1', key.server, key.paths, key.options])).digest('hex');
  return path.join(stateDir(), `send-${digest.slice(0, 32)}.json`);
}

export async function loadJournal(file: string): Promise<CliJournal | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const j = JSON.parse(text) as CliJournal;
    const ok =
      j.v === 1 &&
      typeof j.id === 'string' &&
      typeof j.ownerToken === 'string' &&
      typeof j.secret === 'string' &&
      Number.isSafeInteger(j.partBytes) &&
      Array.isArray(j.salts) &&
      Array.isArray(j.sizes) &&
      Array.isArray(j.partDigests) &&
      Array.isArray(j.names) &&
      Array.isArray(j.hashes) &&
      j.salts.length === j.names.length &&
      j.sizes.length === j.names.length &&
      j.partDigests.length === j.names.length;
    return ok ? j : null;
  } catch {
    return null;
  }
}

/** Writes a state file atomically (temporary file, then rename), readable by the owner only. */
export async function writePrivateJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(value), { mode: 0o600 });
  await rename(tmp, file);
}

export const saveJournal = (file: string, j: CliJournal): Promise<void> => writePrivateJson(file, j);

export async function deleteJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Serialises journal writes from parallel part uploads. */
export class JournalWriter {
  #chain: Promise<void> = Promise.resolve();
  constructor(
    readonly file: string,
    readonly journal: CliJournal,
  ) {}

  save(): Promise<void> {
    const next = this.#chain.then(() => saveJournal(this.file, this.journal));
    this.#chain = next.catch(() => {});
    return next;
  }
}
