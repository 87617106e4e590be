// A table of malformed requests: each gets the right 4xx with a JSON error, none a
// 5xx, and nothing is stored (every table's row count and the bucket unchanged;
// only audit rows of refused admin calls may be added to the log).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  b64u,
  call,
  challenge,
  ciphertextSize,
  createBody,
  createShare,
  download,
  freshIp,
  readyShare,
  signBody,
  tableCounts,
  TABLES,
  type CallOptions,
  type Share,
} from './helpers.ts';

interface Case {
  name: string;
  method: string;
  path: string | (() => string);
  opts?: () => CallOptions;
  status: number;
  code: string;
}

let ready: Share;
let uploading: Share;
let grant: string;
let usedBody: ReturnType<typeof signBody>;

const GIB = 1024 ** 3;
const json = (body: unknown, extra: CallOptions = {}): CallOptions => ({ json: body, ip: freshIp(), ...extra });
const create = (patch: Record<string, unknown>) => json({ ...createBody(), ...patch });
const raw = (text: string | Uint8Array, type = 'application/json'): CallOptions => ({
  body: text,
  headers: { 'Content-Type': type },
  ip: freshIp(),
});
const owner = () => `Owner ${uploading.ownerToken}`;
const part = (len: number, headers: Record<string, string> = {}): CallOptions => ({
  body: new Uint8Array(len),
  auth: owner(),
  headers: { 'Content-Length': String(len), ...headers },
});
const lastChar = (s: string, c: string) => s.slice(0, -1) + c;
const access = (patch: Record<string, unknown>) => ({ ...usedBody, ...patch });

const cases: Case[] = [
  // create
  { name: 'create without Content-Type', method: 'POST', path: '/api/shares', opts: () => ({ body: JSON.stringify(createBody()), ip: freshIp() }), status: 415, code: 'unsupported_media_type' },
  { name: 'create as text/plain', method: 'POST', path: '/api/shares', opts: () => raw(JSON.stringify(createBody()), 'text/plain'), status: 415, code: 'unsupported_media_type' },
  { name: 'create as a form', method: 'POST', path: '/api/shares', opts: () => raw('a=1', 'application/x-www-form-urlencoded'), status: 415, code: 'unsupported_media_type' },
  { name: 'malformed JSON', method: 'POST', path: '/api/shares', opts: () => raw('{"expiresIn": 3600,'), status: 400, code: 'bad_request' },
  { name: 'invalid UTF-8', method: 'POST', path: '/api/shares', opts: () => raw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), status: 400, code: 'bad_request' },
  { name: 'JSON array body', method: 'POST', path: '/api/shares', opts: () => raw('[]'), status: 400, code: 'bad_request' },
  { name: 'empty body', method: 'POST', path: '/api/shares', opts: () => raw(''), status: 400, code: 'bad_request' },
  { name: 'missing files', method: 'POST', path: '/api/shares', opts: () => create({ files: undefined }), status: 400, code: 'bad_request' },
  { name: 'negative expiresIn', method: 'POST', path: '/api/shares', opts: () => create({ expiresIn: -5 }), status: 400, code: 'bad_request' },
  { name: 'zero expiresIn', method: 'POST', path: '/api/shares', opts: () => create({ expiresIn: 0 }), status: 400, code: 'bad_request' },
  { name: 'expiresIn as a string', method: 'POST', path: '/api/shares', opts: () => create({ expiresIn: '3600' }), status: 400, code: 'bad_request' },
  { name: 'fractional expiresIn', method: 'POST', path: '/api/shares', opts: () => create({ expiresIn: 1.5 }), status: 400, code: 'bad_request' },
  { name: 'expiresIn past the maximum', method: 'POST', path: '/api/shares', opts: () => create({ expiresIn: 604801 }), status: 400, code: 'bad_request' },
  { name: 'zero maxDownloads', method: 'POST', path: '/api/shares', opts: () => create({ maxDownloads: 0 }), status: 400, code: 'bad_request' },
  { name: 'maxDownloads past the maximum', method: 'POST', path: '/api/shares', opts: () => create({ maxDownloads: 101 }), status: 400, code: 'bad_request' },
  { name: 'huge maxDownloads', method: 'POST', path: '/api/shares', opts: () => create({ maxDownloads: 1e300 }), status: 400, code: 'bad_request' },
  { name: 'negative size', method: 'POST', path: '/api/shares', opts: () => create({ files: [{ size: -100 }] }), status: 400, code: 'bad_request' },
  { name: 'size below a ciphertext', method: 'POST', path: '/api/shares', opts: () => create({ files: [{ size: 71 }] }), status: 400, code: 'bad_request' },
  { name: 'size no Cobblestone message has', method: 'POST', path: '/api/shares', opts: () => create({ files: [{ size: 56 + 16384 + 16 }] }), status: 400, code: 'bad_request' },
  { name: 'size as a string', method: 'POST', path: '/api/shares', opts: () => create({ files: [{ size: '1000' }] }), status: 400, code: 'bad_request' },
  { name: 'file over maxFileBytes', method: 'POST', path: '/api/shares', opts: () => create({ files: [{ size: ciphertextSize(11 * GIB) }] }), status: 413, code: 'too_large' },
  { name: 'share over maxShareBytes', method: 'POST', path: '/api/shares', opts: () => create({ files: [9, 9, 9].map((g) => ({ size: ciphertextSize(g * GIB) })) }), status: 413, code: 'too_large' },
  { name: 'too many files', method: 'POST', path: '/api/shares', opts: () => create({ files: Array.from({ length: 1001 }, () => ({ size: 100 })) }), status: 400, code: 'bad_request' },
  { name: 'linkPub with a bad character', method: 'POST', path: '/api/shares', opts: () => create({ linkPub: lastChar(createBody().linkPub, '!') }), status: 400, code: 'bad_request' },
  { name: 'linkPub too short', method: 'POST', path: '/api/shares', opts: () => create({ linkPub: createBody().linkPub.slice(1) }), status: 400, code: 'bad_request' },
  { name: 'linkPub with padding', method: 'POST', path: '/api/shares', opts: () => create({ linkPub: createBody().linkPub + '=' }), status: 400, code: 'bad_request' },
  { name: 'linkPub non-canonical base64url', method: 'POST', path: '/api/shares', opts: () => create({ linkPub: lastChar(b64u(new Uint8Array(32).fill(0x11)), 'F') }), status: 400, code: 'bad_request' },
  { name: 'linkPub not a curve point', method: 'POST', path: '/api/shares', opts: () => create({ linkPub: b64u(new Uint8Array(32).fill(0xff)) }), status: 400, code: 'bad_request' },
  { name: 'authPub equal to linkPub', method: 'POST', path: '/api/shares', opts: () => { const b = createBody(); return json({ ...b, authPub: b.linkPub }); }, status: 400, code: 'bad_request' },
  { name: 'password salt too short', method: 'POST', path: '/api/shares', opts: () => create({ password: { salt: 'AAAA', kdf: { alg: 'argon2id', t: 3, m: 65536, p: 1 } } }), status: 400, code: 'bad_request' },
  { name: 'downgraded KDF', method: 'POST', path: '/api/shares', opts: () => create({ password: { salt: b64u(new Uint8Array(16)), kdf: { alg: 'argon2id', t: 1, m: 1024, p: 1 } } }), status: 400, code: 'bad_request' },
  { name: 'unknown field', method: 'POST', path: '/api/shares', opts: () => create({ name: 'report.pdf' }), status: 400, code: 'bad_request' },
  { name: 'oversized create body', method: 'POST', path: '/api/shares', opts: () => create({ pad: 'x'.repeat(300 * 1024) }), status: 413, code: 'too_large' },
  { name: 'cross-site create', method: 'POST', path: '/api/shares', opts: () => json(createBody(), { headers: { 'Sec-Fetch-Site': 'cross-site' } }), status: 403, code: 'forbidden' },
  // parts
  { name: 'part: id too short', method: 'PUT', path: () => `/api/shares/${uploading.id.slice(1)}/files/0/parts/0`, opts: () => part(100), status: 404, code: 'not_found' },
  { name: 'part: id with a bad character', method: 'PUT', path: () => `/api/shares/${uploading.id.slice(1)}%21/files/0/parts/0`, opts: () => part(100), status: 404, code: 'not_found' },
  { name: 'part: unknown share', method: 'PUT', path: '/api/shares/AAAAAAAAAAAAAAAAAAAAAA/files/0/parts/0', opts: () => part(100), status: 404, code: 'not_found' },
  { name: 'part: file index with a leading zero', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/00/parts/0`, opts: () => part(100), status: 400, code: 'bad_request' },
  { name: 'part: negative part number', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/-1`, opts: () => part(100), status: 400, code: 'bad_request' },
  { name: 'part: file index out of range', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/7/parts/0`, opts: () => part(100), status: 404, code: 'not_found' },
  { name: 'part: part number out of range', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/3`, opts: () => part(uploading.sizes[0]), status: 404, code: 'not_found' },
  { name: 'part: extra path segment', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0/more`, opts: () => part(100), status: 404, code: 'not_found' },
  { name: 'part: no Authorization', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => ({ ...part(uploading.sizes[0]), auth: undefined }), status: 401, code: 'unauthorized' },
  { name: 'part: wrong auth scheme', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => ({ ...part(uploading.sizes[0]), auth: `Bearer ${uploading.ownerToken}` }), status: 401, code: 'unauthorized' },
  { name: 'part: wrong owner token', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => ({ ...part(uploading.sizes[0]), auth: `Owner ${ready.ownerToken}` }), status: 403, code: 'forbidden' },
  { name: 'part: shorter than the part', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => part(uploading.sizes[0] - 1), status: 400, code: 'bad_request' },
  { name: 'part: longer than the part', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => part(uploading.sizes[0] + 1), status: 413, code: 'too_large' },
  { name: 'part: no Content-Length', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => ({ auth: owner(), body: new ReadableStream({ start(c) { c.enqueue(new Uint8Array(uploading.sizes[0])); c.close(); } }) }), status: 400, code: 'bad_request' },
  { name: 'part: garbled Content-Length', method: 'PUT', path: () => `/api/shares/${uploading.id}/files/0/parts/0`, opts: () => part(uploading.sizes[0], { 'Content-Length': '12abc' }), status: 400, code: 'bad_request' },
  // finalize
  { name: 'finalize: manifest not base64url', method: 'POST', path: () => `/api/shares/${uploading.id}/finalize`, opts: () => ({ json: { manifest: 'not base64!' }, auth: owner() }), status: 400, code: 'bad_request' },
  { name: 'finalize: manifest too small', method: 'POST', path: () => `/api/shares/${uploading.id}/finalize`, opts: () => ({ json: { manifest: b64u(new Uint8Array(10)) }, auth: owner() }), status: 400, code: 'bad_request' },
  { name: 'finalize: manifest over 1 MiB', method: 'POST', path: () => `/api/shares/${uploading.id}/finalize`, opts: () => ({ json: { manifest: b64u(new Uint8Array(ciphertextSize(1024 * 1024))) }, auth: owner() }), status: 413, code: 'too_large' },
  { name: 'finalize: no manifest', method: 'POST', path: () => `/api/shares/${uploading.id}/finalize`, opts: () => ({ json: {}, auth: owner() }), status: 400, code: 'bad_request' },
  { name: 'finalize: parts missing', method: 'POST', path: () => `/api/shares/${uploading.id}/finalize`, opts: () => ({ json: { manifest: b64u(uploading.manifest) }, auth: owner() }), status: 409, code: 'conflict' },
  // recipient
  { name: 'info: id too long', method: 'GET', path: () => `/api/shares/${ready.id}A`, status: 404, code: 'not_found' },
  { name: 'info: unknown id', method: 'GET', path: '/api/shares/AAAAAAAAAAAAAAAAAAAAAA', status: 404, code: 'not_found' },
  { name: 'info: still uploading', method: 'GET', path: () => `/api/shares/${uploading.id}`, status: 404, code: 'not_found' },
  { name: 'manifest: challenge not base64url', method: 'POST', path: () => `/api/shares/${ready.id}/manifest`, opts: () => json(access({ challenge: 'a b' })), status: 400, code: 'bad_request' },
  { name: 'manifest: signature too short', method: 'POST', path: () => `/api/shares/${ready.id}/manifest`, opts: () => json(access({ signature: 'AAAA' })), status: 400, code: 'bad_request' },
  { name: 'manifest: signature as a number', method: 'POST', path: () => `/api/shares/${ready.id}/manifest`, opts: () => json(access({ linkSignature: 12 })), status: 400, code: 'bad_request' },
  { name: 'manifest: missing challenge', method: 'POST', path: () => `/api/shares/${ready.id}/manifest`, opts: () => json(access({ challenge: undefined })), status: 400, code: 'bad_request' },
  { name: 'download: replayed challenge', method: 'POST', path: () => `/api/shares/${ready.id}/download`, opts: () => json(usedBody), status: 401, code: 'unauthorized' },
  { name: 'download: unknown share', method: 'POST', path: '/api/shares/AAAAAAAAAAAAAAAAAAAAAA/download', opts: () => json(usedBody), status: 404, code: 'not_found' },
  { name: 'download: text/plain', method: 'POST', path: () => `/api/shares/${ready.id}/download`, opts: () => raw(JSON.stringify(usedBody), 'text/plain'), status: 415, code: 'unsupported_media_type' },
  // files
  { name: 'file: garbage grant', method: 'GET', path: () => `/api/shares/${ready.id}/files/0`, opts: () => ({ auth: 'Grant abc.def' }), status: 401, code: 'unauthorized' },
  { name: 'file: owner token as grant', method: 'GET', path: () => `/api/shares/${ready.id}/files/0`, opts: () => ({ auth: `Owner ${ready.ownerToken}` }), status: 401, code: 'unauthorized' },
  { name: 'file: index not a number', method: 'GET', path: () => `/api/shares/${ready.id}/files/abc`, opts: () => ({ auth: `Grant ${grant}` }), status: 400, code: 'bad_request' },
  { name: 'file: index out of range', method: 'GET', path: () => `/api/shares/${ready.id}/files/1`, opts: () => ({ auth: `Grant ${grant}` }), status: 404, code: 'not_found' },
  // owner
  { name: 'owner: no token', method: 'GET', path: () => `/api/shares/${ready.id}/owner`, status: 401, code: 'unauthorized' },
  { name: 'revoke: grant as credential', method: 'DELETE', path: () => `/api/shares/${ready.id}`, opts: () => ({ auth: `Grant ${grant}` }), status: 401, code: 'unauthorized' },
  // report
  { name: 'report: empty reason', method: 'POST', path: () => `/api/shares/${ready.id}/report`, opts: () => json({ reason: '' }), status: 400, code: 'bad_request' },
  { name: 'report: only control characters', method: 'POST', path: () => `/api/shares/${ready.id}/report`, opts: () => json({ reason: '\u0000\u0007' }), status: 400, code: 'bad_request' },
  { name: 'report: reason over 2000 characters', method: 'POST', path: () => `/api/shares/${ready.id}/report`, opts: () => json({ reason: 'x'.repeat(2001) }), status: 400, code: 'bad_request' },
  { name: 'report: unknown share', method: 'POST', path: '/api/shares/AAAAAAAAAAAAAAAAAAAAAA/report', opts: () => json({ reason: 'spam' }), status: 404, code: 'not_found' },
  // admin
  { name: 'admin: wrong token', method: 'GET', path: '/api/admin/shares', opts: () => ({ auth: 'Bearer wrong-wrong-wrong-wrong-wrong-wrong' }), status: 401, code: 'unauthorized' },
  { name: 'admin: Basic auth', method: 'GET', path: '/api/admin/shares', opts: () => ({ auth: `Basic ${btoa(`admin:${ADMIN}`)}` }), status: 401, code: 'unauthorized' },
  { name: 'admin: token scope root', method: 'POST', path: '/api/admin/tokens', opts: () => ({ auth: `Bearer ${ADMIN}`, json: { label: 'x', scope: 'root', expiresIn: 60 } }), status: 400, code: 'bad_request' },
  { name: 'admin: token for ten years', method: 'POST', path: '/api/admin/tokens', opts: () => ({ auth: `Bearer ${ADMIN}`, json: { label: 'x', scope: 'admin', expiresIn: 3650 * 86400 } }), status: 400, code: 'bad_request' },
  { name: 'admin: revoke-all without the phrase', method: 'POST', path: '/api/admin/revoke-all', opts: () => ({ auth: `Bearer ${ADMIN}`, json: { confirm: 'revoke all' } }), status: 400, code: 'bad_request' },
  { name: 'admin: limit not a number', method: 'GET', path: '/api/admin/shares?limit=ten', opts: () => ({ auth: `Bearer ${ADMIN}` }), status: 400, code: 'bad_request' },
  // routing
  { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'not_found' },
  { name: 'wrong method', method: 'PUT', path: '/api/config', status: 404, code: 'not_found' },
];

async function bucketCount(): Promise<number> {
  return (await env.BUCKET.list({ limit: 1000 })).objects.length;
}

describe('malformed requests', () => {
  beforeAll(async () => {
    ready = await readyShare();
    uploading = await createShare({ sizes: [ciphertextSize(2000)] });
    grant = (await download(ready)).grant;
    usedBody = signBody(ready.keys, 'download', ready.id, await challenge(ready.id));
    await call('POST', `/api/shares/${ready.id}/download`, { json: usedBody });
  });

  it(`has at least 40 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const k of cases) {
    it(`${k.name}: ${k.status} ${k.code}`, async () => {
      const before = await tableCounts();
      const objects = await bucketCount();
      const lastLog = (await env.DB.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM access_log').first<{ id: number }>())!.id;
      const res = await call(k.method, typeof k.path === 'string' ? k.path : k.path(), k.opts?.());
      const text = await res.text();
      expect(res.status, text).toBe(k.status);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(JSON.parse(text)).toEqual({ error: { code: k.code, message: expect.any(String) } });
      const after = await tableCounts();
      for (const t of TABLES.filter((t) => t !== 'access_log')) expect(after[t], t).toBe(before[t]);
      expect(await bucketCount()).toBe(objects);
      // The only rows a refused request may add to the log are audit rows of admin calls.
      const added = await env.DB.prepare('SELECT event, outcome FROM access_log WHERE id > ?').bind(lastLog).all<{ event: string; outcome: string }>();
      for (const r of added.results) {
        expect(r.event).toBe('admin');
        expect(r.outcome).not.toBe('ok');
      }
    });
  }
});
