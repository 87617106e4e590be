// The crypto pool's tap worker (issue 11): the whole-file SHA-256 for the
// manifest, taken from the plaintext the encryption workers read anyway, so the
// File is read once. Each encryption worker sends its reads here by transfer on
// a MessagePort of its own (no copy, no trip through the page's thread).
//
// The pieces go back to their worker once hashed, to be collected there, so
// memory stays flat.
//
// Parts are made side by side, the hash needs its bytes in order: a batch ahead
// of the hashed frontier waits here until the bytes before it arrive. Bytes
// behind the frontier (a part made again: a resume's re-check, the chunk two
// slices share) are not hashed twice. Memory stays bounded: when more than
// MAX_AHEAD_BYTES wait (a resume that re-checks later parts before it sends the
// earlier ones), the tap of that file gives up and the page hashes the File by
// itself (CryptoPool.sha256Blob), as before.
import { createSha256, type Sha256 } from '../sha256.ts';
import type { TapBatch, TapRequest, TapResponse } from './protocol.ts';

const MAX_AHEAD_BYTES = 64 * 1024 * 1024;

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<TapRequest>) => void) | null;
  postMessage(msg: TapResponse): void;
};

interface FileTap {
  size: number;
  hash: Sha256 | null;
  frontier: number;
  /** Batches ahead of the frontier, by offset. */
  ahead: Map<number, Held>;
  received: number;
  /** Set by 'close': batches the page counted; the tap is judged once they are all here. */
  expected: number | null;
  state: 'running' | 'complete' | 'broken';
  sha256: string | null;
  waiting: number[];
}

const files = new Map<number, FileTap>();
let aheadBytes = 0;
// Compiles the WebAssembly at start-up, so a small file's hash does not wait for it.
void createSha256();

const batchBytes = (b: TapBatch) => b.chunks.reduce((n, c) => n + c.length, 0);

/** A batch and the port it came on: its buffers go back there once hashed (or not needed). */
type Held = TapBatch & { from: MessagePort };
const giveBack = (b: Held) => {
  for (const c of b.chunks) b.from.postMessage(c.buffer, [c.buffer as ArrayBuffer]);
};

function tapOf(file: number, size: number): FileTap {
  let t = files.get(file);
  if (!t) {
    t = { size, hash: null, frontier: 0, ahead: new Map(), received: 0, expected: null, state: 'running', sha256: null, waiting: [] };
    files.set(file, t);
  }
  return t;
}

/** Hashes the part of `b` beyond the frontier. False when `b` is ahead of it. */
function take(t: FileTap, b: TapBatch): boolean {
  if (b.offset > t.frontier) return false;
  let at = b.offset;
  for (const c of b.chunks) {
    const end = at + c.length;
    if (end > t.frontier) {
      t.hash!.update(c.subarray(t.frontier - at));
      t.frontier = end;
    }
    at = end;
  }
  return true;
}

function settle(_file: number, t: FileTap, state: 'complete' | 'broken'): void {
  t.state = state;
  if (state === 'complete') t.sha256 = t.hash!.digestHex();
  for (const b of t.ahead.values()) {
    aheadBytes -= batchBytes(b);
    giveBack(b);
  }
  t.ahead.clear();
  t.hash = null;
  for (const id of t.waiting) scope.postMessage({ id, sha256: t.sha256 });
  t.waiting = [];
}

function judge(file: number, t: FileTap): void {
  if (t.state !== 'running') return;
  if (t.frontier >= t.size) return settle(file, t, 'complete');
  if (t.expected !== null && t.received >= t.expected) settle(file, t, 'broken');
}

async function onBatch(b: Held): Promise<void> {
  const t = tapOf(b.file, b.size);
  if (t.state === 'running' && !t.hash) t.hash = await createSha256();
  t.received++;
  if (t.state !== 'running') giveBack(b);
  else {
    if (take(t, b)) giveBack(b);
    else {
      const n = batchBytes(b);
      const same = t.ahead.get(b.offset);
      if (aheadBytes + n > MAX_AHEAD_BYTES) {
        giveBack(b);
        settle(b.file, t, 'broken');
      } else if (!same || batchBytes(same) < n) {
        if (same) {
          aheadBytes -= batchBytes(same);
          giveBack(same);
        }
        t.ahead.set(b.offset, b);
        aheadBytes += n;
      } else giveBack(b);
    }
    // Batches that the frontier reached.
    for (let moved = true; moved && t.state === 'running'; ) {
      moved = false;
      for (const [offset, a] of t.ahead) {
        if (offset > t.frontier) continue;
        t.ahead.delete(offset);
        aheadBytes -= batchBytes(a);
        take(t, a);
        giveBack(a);
        moved = true;
      }
    }
  }
  judge(b.file, t);
}

// Messages of all ports go through one queue, so batches are taken in the order they arrived.
let queue: Promise<void> = Promise.resolve();
const enqueue = (fn: () => void | Promise<void>) => {
  queue = queue.then(fn).catch(() => {});
};

scope.onmessage = (e) => {
  const req = e.data;
  if (req.op === 'port') {
    const from = req.port;
    from.onmessage = (m: MessageEvent<TapBatch>) => enqueue(() => onBatch({ ...m.data, from }));
  } else if (req.op === 'digest') {
    enqueue(async () => {
      if (req.size === 0) {
        const h = await createSha256();
        return scope.postMessage({ id: req.id, sha256: h.digestHex() });
      }
      const t = tapOf(req.file, req.size);
      if (t.state === 'running') t.waiting.push(req.id);
      else scope.postMessage({ id: req.id, sha256: t.sha256 });
    });
  } else if (req.op === 'close') {
    enqueue(() => {
      const t = tapOf(req.file, req.size);
      t.expected = req.batches;
      judge(req.file, t);
    });
  }
};
