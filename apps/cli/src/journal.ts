// The CLI's resume journal (DESIGN.md "One salt, one plaintext"): a 0600 JSON file
// under $XDG_STATE_HOME/sealdrop (or ~/.local/state/sealdrop), named by a hash of
// the server, the absolute paths and the options, so running the same `send`
// again finds it. It holds the link secret S, so it is deleted after finalize.

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseJournal, type JournalStore, type SendJournal } from '@sealdrop/transfer';

/** The engine's journal; the CLI keeps the server and the absolute paths in `app`. */
export type CliJournal = SendJournal & { app: { server: string; paths: string[] } };

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
    const j = parseJournal(JSON.parse(text)) as CliJournal | null;
    return j && typeof j.app?.server === 'string' && Array.isArray(j.app?.paths) ? j : null;
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

/** Writes the send journal atomically, readable by the owner only. */
export const saveJournal = (file: string, j: SendJournal): Promise<void> => writePrivateJson(file, j);

export async function deleteJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The engine's journal store: one 0600 file (the engine orders the writes). */
export function fileJournalStore(file: string): JournalStore {
  return { save: (j) => saveJournal(file, j as CliJournal), remove: () => deleteJournal(file) };
}
