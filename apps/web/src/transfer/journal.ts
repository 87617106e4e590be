// The sender's resume journal (DESIGN.md "One salt, one plaintext"), kept in this
// browser's IndexedDB only. It holds the link secret S, so it is deleted after
// finalize, on cancel, and when the user discards an interrupted upload.
// It never holds the password or anything derived from it: a resumed share with a
// password asks for it again and checks it against the access key it registered.
import { UNFINALIZED_TTL_SECONDS } from '@sealdrop/shared';
import type { JournalStore, SendJournal as EngineJournal } from '@sealdrop/transfer';
import { withIdbStore, type IdbStore } from '../app/idb.ts';

/** The engine's journal; `remember` is where journals written before the engine kept it. */
export type SendJournal = EngineJournal & { remember?: boolean };

const JOURNALS: IdbStore = { db: 'sealdrop-send', store: 'journals', keyPath: 'id', blocked: 'The upload journal is open in another tab.' };

const withStore = <T,>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void) => withIdbStore<T>(JOURNALS, mode, fn);

/** Journals of interrupted uploads: not those another tab is sending right now. */
export async function listJournals(): Promise<SendJournal[]> {
  try {
    const busy = await busyJournals();
    const stored = (await withStore<SendJournal[]>('readonly', (s) => s.getAll() as IDBRequest<SendJournal[]>)) ?? [];
    // The server sweeps shares never finalized after 24 hours: a journal that old
    // can never finish, and it still holds a link secret. Forget it.
    const cutoff = Date.now() - UNFINALIZED_TTL_SECONDS * 1000;
    const stale = stored.filter((j) => !(Date.parse(j?.createdAt) > cutoff));
    for (const j of stale) if (j?.id) await deleteJournal(j.id).catch(() => {});
    const all = stored.filter((j) => j && j.v === 1 && !stale.includes(j) && !busy.has(j.id));
    return all.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  } catch {
    return []; // private mode or storage disabled: no resume, uploads still work
  }
}

export async function deleteJournal(id: string): Promise<void> {
  await withStore('readwrite', (s) => void s.delete(id));
}

// A tab sending a share holds a Web Lock named after it, so another tab does not
// offer to "resume" an upload that is still running.
const LOCK_PREFIX = 'sealdrop-upload-';

async function busyJournals(): Promise<Set<string>> {
  if (!navigator.locks) return new Set();
  const { held = [] } = await navigator.locks.query();
  return new Set(held.map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
}

/** Holds the "sending" lock of share `id` until the returned function is called. */
export function holdUploadLock(id: string): () => void {
  let release = () => {};
  if (!navigator.locks) return release;
  const held = new Promise<void>((resolve) => (release = resolve));
  navigator.locks.request(LOCK_PREFIX + id, { ifAvailable: true }, () => held).catch(() => {});
  return release;
}

/** The engine's journal store: IndexedDB. Without storage the upload still works, it just cannot resume after a reload. */
let warned = false;
export const journalStore: JournalStore = {
  async save(j) {
    const snapshot = structuredClone(j);
    try {
      await withStore('readwrite', (s) => void s.put(snapshot));
    } catch (e) {
      if (!warned) console.warn('Sealdrop: cannot write the resume journal', e);
      warned = true;
    }
  },
  remove: (j) => deleteJournal(j.id).catch(() => {}),
};
