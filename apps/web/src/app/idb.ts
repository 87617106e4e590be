// One IndexedDB object store per database, opened for one transaction at a time
// (the send journal, the Keys page's identities).

export interface IdbStore {
  db: string;
  store: string;
  keyPath: string;
  /** Said when another tab holds an older version open. */
  blocked: string;
}

/**
 * Open connections, one per database, kept between transactions: opening costs a
 * round trip to the browser's storage service, and a send writes its journal a
 * few times on its critical path (issue 11: a small send's click → link). A
 * connection closes as soon as another tab asks for a new version, or when the
 * browser closes it, and is opened again by the next transaction.
 */
const open = new Map<string, Promise<IDBDatabase>>();

function openDb(s: IdbStore): Promise<IDBDatabase> {
  let db = open.get(s.db);
  if (db) return db;
  db = new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(s.db, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(s.store, { keyPath: s.keyPath });
    req.onsuccess = () => {
      const conn = req.result;
      const forget = () => {
        if (open.get(s.db) === db) open.delete(s.db);
      };
      conn.onversionchange = () => {
        forget();
        conn.close();
      };
      conn.onclose = forget;
      resolve(conn);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(s.blocked));
  });
  open.set(s.db, db);
  db.catch(() => {
    if (open.get(s.db) === db) open.delete(s.db);
  });
  return db;
}

/** Runs `fn` in one transaction on the store; resolves with its request's result once the transaction completed. */
export async function withIdbStore<T>(s: IdbStore, mode: IDBTransactionMode, fn: (st: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb(s);
  let tx: IDBTransaction;
  try {
    tx = db.transaction(s.store, mode);
  } catch (e) {
    // Closed meanwhile (another tab's upgrade, the browser): once more on a fresh connection.
    if (!(e instanceof DOMException && e.name === 'InvalidStateError')) throw e;
    open.delete(s.db);
    tx = (await openDb(s)).transaction(s.store, mode);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const req = fn(tx.objectStore(s.store));
    tx.oncomplete = () => resolve(req ? req.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}
