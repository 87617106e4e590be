// Node implementations of the engine's ports over bytes in memory, and a fetch
// that misbehaves on purpose (a lost answer, a body cut mid-way, a flipped byte)
// in front of the real local stack.

import { createHash } from 'node:crypto';
import { bytesSource, encryptPartWithDigest } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import type { JournalStore, PartMaker, PlaintextHasher, PlaintextSink, SendFile, SendJournal } from '../../src/index.ts';

export const MIB = 1024 * 1024;

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A journal store in memory; `saved` is what a process killed now would find. */
export function memoryJournal() {
  let saved: SendJournal | null = null;
  let writes = 0;
  const store: JournalStore = {
    async save(j) {
      saved = structuredClone(j);
      writes++;
    },
    async remove() {
      saved = null;
    },
  };
  return { store, get saved() { return saved; }, get writes() { return writes; } };
}

export interface MemFile {
  name: string;
  bytes: Uint8Array;
  lastModified?: number;
}

/** Part maker and hasher over in-memory files. `made` counts parts made. */
export function memoryPorts(files: MemFile[]) {
  const made: string[] = [];
  const parts: PartMaker<Uint8Array> = {
    async make(req) {
      const { bytes: body, sha256 } = await encryptPartWithDigest(bytesSource(files[req.file].bytes), req.keys, req.start, req.end);
      made.push(`${req.file}/${req.part}`);
      return { body, sha256, length: body.length };
    },
  };
  const hasher: PlaintextHasher = { async hash(i) { return { sha256: sha256(files[i].bytes) }; } };
  const sendFiles: SendFile[] = files.map((f) => ({ name: f.name, size: f.bytes.length, type: 'application/octet-stream', lastModified: f.lastModified ?? 1 }));
  return { parts, hasher, files: sendFiles, made };
}

/** A sink into memory that remembers every byte it was given. */
export function memorySink(size: number) {
  const buf = new Uint8Array(size);
  let received = 0;
  const sink: PlaintextSink = {
    async write(chunk, position) {
      buf.set(chunk, position);
      received = Math.max(received, position + chunk.length);
    },
  };
  return { sink, buf, get received() { return received; } };
}

export type Fault =
  | { action: 'pass' }
  /** The request reaches the server, its answer is lost. */
  | { action: 'lose' }
  /** The answer body stops (an error) after this many bytes. */
  | { action: 'cut'; afterBytes: number }
  /** The answer body ends cleanly (no error) after this many bytes. */
  | { action: 'end'; afterBytes: number }
  /** One byte of the answer body is changed at this offset. */
  | { action: 'flip'; offset: number }
  /** The server is never reached: this status is answered. */
  | { action: 'status'; status: number };

export interface Seen {
  method: string;
  path: string;
  range: string | null;
  body: unknown;
}

/** A client for `url` whose transport applies `rule` to each request. */
export function faultyClient(url: string, rule: (r: Seen, n: number) => Fault) {
  const seen: Seen[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const u = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    const r: Seen = { method: init?.method ?? 'GET', path: u.pathname, range: headers.get('range'), body };
    seen.push(r);
    const f = rule(r, seen.length);
    if (f.action === 'status') {
      return new Response(JSON.stringify({ error: { code: f.status === 503 ? 'unavailable' : 'internal', message: 'injected' } }), { status: f.status, headers: { 'content-type': 'application/json' } });
    }
    const res = await fetch(input, init);
    if (f.action === 'lose') {
      await res.arrayBuffer().catch(() => {});
      throw new TypeError('fetch failed: the answer was lost (injected)');
    }
    if (f.action === 'pass' || !res.body) return res;
    let pos = 0;
    const transform = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (f.action === 'end') {
          const take = Math.max(0, Math.min(chunk.length, f.afterBytes - pos));
          if (take > 0) controller.enqueue(chunk.slice(0, take));
          pos += chunk.length;
          if (pos >= f.afterBytes) controller.terminate();
          return;
        }
        if (f.action === 'cut') {
          const take = Math.max(0, Math.min(chunk.length, f.afterBytes - pos));
          if (take > 0) controller.enqueue(chunk.slice(0, take));
          pos += chunk.length;
          if (pos >= f.afterBytes) controller.error(new TypeError('terminated (injected cut)'));
          return;
        }
        const c = chunk.slice();
        if (f.offset >= pos && f.offset < pos + c.length) c[f.offset - pos] ^= 0x01;
        pos += c.length;
        controller.enqueue(c);
      },
    });
    return new Response(res.body.pipeThrough(transform), { status: res.status, headers: res.headers });
  }) as typeof fetch;
  return { client: new SealdropClient(url, { fetch: fetchImpl }), seen };
}
