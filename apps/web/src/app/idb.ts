// One IndexedDB object store per database, opened for one transaction at a time
// (the send journal, the Keys page's identities).

export interface IdbStore {
  db: string;
  store: string;
  keyPath: string;
  /** Said when another tab holds an older version open. */
  blocked: string;
}

function openDb(s: IdbStore): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(s.db, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(s.store, { keyPath: s.keyPath });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(s.blocked));
  });
}

/** Runs `fn` in one transaction on the store; resolves with its request's result once the transaction completed. */
export async function withIdbStore<T>(s: IdbStore, mode: IDBTransactionMode, fn: (st: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb(s);
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(s.store, mode);
      const req = fn(tx.objectStore(s.store));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
