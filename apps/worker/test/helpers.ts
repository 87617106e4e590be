// A small client for the worker tests: real requests into the worker's fetch
// handler (workerd, local D1 and R2), real Ed25519 signatures.
//
// Requests call the default export's fetch() in the test isolate, as the runtime
// would. (exports.default.fetch, the loopback service binding, also works, see
// health.test.ts and headers.test.ts, but slows down sharply past ~100 requests
// in flight, which the 200-way download race needs.)
import { ed25519 } from '@noble/curves/ed25519.js';
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import type { CreateShareResponse, DownloadResponse } from '@sealdrop/shared';
import worker from '../src/index.ts';

export const ADMIN = env.ADMIN_TOKEN!;
export const PART = Number(env.PART_BYTES);
const BASE = 'http://sealdrop.test';

let ipSeq = Math.floor(Math.random() * 200) * 65536;
/** A client address no other test uses (rate limits are per IP). */
export function freshIp(): string {
  ipSeq++;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

export interface CallOptions {
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  auth?: string;
  ip?: string;
}

export async function call(method: string, path: string, o: CallOptions = {}): Promise<Response> {
  const headers = new Headers(o.headers);
  if (o.auth) headers.set('Authorization', o.auth);
  if (o.ip) headers.set('CF-Connecting-IP', o.ip);
  let body = o.body;
  if (o.json !== undefined) {
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
    body = JSON.stringify(o.json);
  }
  const ctx = createExecutionContext();
  const req = new Request(BASE + path, { method, headers, body });
  const res = await worker.fetch(req as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export async function callJson<T = any>(method: string, path: string, o: CallOptions = {}): Promise<{ status: number; body: T; res: Response }> {
  const res = await call(method, path, o);
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // leave as text
  }
  return { status: res.status, body, res };
}

export function b64u(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function ciphertextSize(n: number): number {
  return 56 + n + 16 * (Math.floor(n / 16384) + 1);
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

export interface Keys {
  linkSeed: Uint8Array;
  linkPub: Uint8Array;
  authSeed: Uint8Array;
  authPub: Uint8Array;
}

export function newKeys(): Keys {
  const linkSeed = ed25519.utils.randomSecretKey();
  const authSeed = ed25519.utils.randomSecretKey();
  return { linkSeed, linkPub: ed25519.getPublicKey(linkSeed), authSeed, authPub: ed25519.getPublicKey(authSeed) };
}

const enc = new TextEncoder();
export function signBody(keys: Keys, action: 'manifest' | 'download', id: string, challenge: string) {
  return {
    challenge,
    linkSignature: b64u(ed25519.sign(enc.encode(`sealdrop/v1 link ${action} ${id} ${challenge}`), keys.linkSeed)),
    signature: b64u(ed25519.sign(enc.encode(`sealdrop/v1 access ${action} ${id} ${challenge}`), keys.authSeed)),
  };
}

export interface Share extends CreateShareResponse {
  keys: Keys;
  sizes: number[];
  contents: Uint8Array[];
  manifest: Uint8Array;
}

export interface CreateOptions {
  sizes?: number[];
  maxDownloads?: number;
  expiresIn?: number;
  password?: boolean;
  keys?: Keys;
  ip?: string;
  auth?: string;
}

export function createBody(o: CreateOptions = {}, keys = o.keys ?? newKeys()) {
  return {
    expiresIn: o.expiresIn ?? 3600,
    maxDownloads: o.maxDownloads ?? 10,
    linkPub: b64u(keys.linkPub),
    authPub: b64u(keys.authPub),
    password: o.password ? { salt: b64u(randomBytes(16)), kdf: { alg: 'argon2id', t: 3, m: 65536, p: 1 } } : null,
    files: (o.sizes ?? [ciphertextSize(1000)]).map((size) => ({ size })),
  };
}

export async function createShare(o: CreateOptions = {}): Promise<Share> {
  const keys = o.keys ?? newKeys();
  const sizes = o.sizes ?? [ciphertextSize(1000)];
  const r = await callJson<CreateShareResponse>('POST', '/api/shares', { json: createBody({ ...o, sizes }, keys), ip: o.ip ?? freshIp(), auth: o.auth });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...r.body, keys, sizes, contents: sizes.map((s) => randomBytes(s)), manifest: randomBytes(ciphertextSize(4096)) };
}

export function owner(s: { ownerToken: string }): string {
  return `Owner ${s.ownerToken}`;
}

export function partOf(s: Share, i: number, n: number): Uint8Array {
  return s.contents[i].subarray(n * s.partBytes, Math.min((n + 1) * s.partBytes, s.sizes[i]));
}

export function partsOf(s: Share, i: number): number {
  return Math.max(1, Math.ceil(s.sizes[i] / s.partBytes));
}

export async function putPart(s: Share, i: number, n: number, body = partOf(s, i, n), headers: Record<string, string> = {}) {
  return callJson('PUT', `/api/shares/${s.id}/files/${i}/parts/${n}`, {
    body,
    auth: owner(s),
    headers: { 'Content-Length': String(body.byteLength), 'Content-Type': 'application/octet-stream', ...headers },
  });
}

export async function uploadAll(s: Share): Promise<void> {
  for (let i = 0; i < s.sizes.length; i++) {
    for (let n = 0; n < partsOf(s, i); n++) {
      const r = await putPart(s, i, n);
      if (r.status !== 200) throw new Error(`part ${i}/${n}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
}

export async function finalize(s: Share, manifest = s.manifest) {
  return callJson('POST', `/api/shares/${s.id}/finalize`, { json: { manifest: b64u(manifest) }, auth: owner(s) });
}

export async function readyShare(o: CreateOptions = {}): Promise<Share> {
  const s = await createShare(o);
  await uploadAll(s);
  const f = await finalize(s);
  if (f.status !== 200) throw new Error(`finalize: ${f.status} ${JSON.stringify(f.body)}`);
  return s;
}

export async function challenge(id: string, ip?: string): Promise<string> {
  const r = await callJson('GET', `/api/shares/${id}`, { ip });
  if (r.status !== 200) throw new Error(`info: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.challenge;
}

export async function access(s: { id: string; keys: Keys }, action: 'manifest' | 'download', o: { keys?: Keys; ip?: string } = {}) {
  const ch = await challenge(s.id, o.ip);
  return callJson('POST', `/api/shares/${s.id}/${action}`, { json: signBody(o.keys ?? s.keys, action, s.id, ch), ip: o.ip });
}

export async function download(s: Share, ip?: string): Promise<DownloadResponse> {
  const r = await access(s, 'download', { ip });
  if (r.status !== 200) throw new Error(`download: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function getFile(id: string, i: number, grant: string, headers: Record<string, string> = {}, method = 'GET') {
  return call(method, `/api/shares/${id}/files/${i}`, { auth: `Grant ${grant}`, headers });
}

export const TABLES = ['shares', 'files', 'parts', 'grants', 'used_challenges', 'backoff', 'access_log', 'reports', 'api_tokens', 'quota'];

export async function tableCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return out;
}

export async function shareRow(id: string): Promise<Record<string, any>> {
  return (await env.DB.prepare('SELECT * FROM shares WHERE id = ?').bind(id).first())!;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
