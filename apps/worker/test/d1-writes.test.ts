// What a download costs in D1 writes (docs/DEPLOY.md, "D1 writes per download"):
// the worker runs against the real local D1 through a wrapper that adds up the
// rows_written D1 reports for every statement. Upper bounds, so a change that makes
// downloads dearer fails here and updates the cost numbers in DEPLOY.md.
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { access, ciphertextSize, download, getFile, readyShare } from './helpers.ts';

let written = 0;
const realDb = env.DB;

function add(meta: { rows_written?: number } | undefined) {
  written += meta?.rows_written ?? 0;
}

function wrapStatement(s: D1PreparedStatement): D1PreparedStatement {
  const w = {
    real: s,
    bind: (...args: unknown[]) => wrapStatement(s.bind(...args)),
    run: async () => {
      const r = await s.run();
      add(r.meta);
      return r;
    },
    all: async () => {
      const r = await s.all();
      add(r.meta);
      return r;
    },
    first: async (col?: string) => {
      const r = await s.all<Record<string, unknown>>();
      add(r.meta);
      const row = r.results[0] ?? null;
      return col === undefined ? row : (row?.[col] ?? null);
    },
    raw: (...a: Parameters<D1PreparedStatement['raw']>) => s.raw(...a),
  };
  return w as unknown as D1PreparedStatement;
}

const countingDb = {
  prepare: (sql: string) => wrapStatement(realDb.prepare(sql)),
  batch: async (stmts: D1PreparedStatement[]) => {
    const r = await realDb.batch(stmts.map((s) => (s as unknown as { real: D1PreparedStatement }).real ?? s));
    for (const x of r) add(x.meta);
    return r;
  },
  exec: (q: string) => realDb.exec(q),
  withSession: (...a: Parameters<D1Database['withSession']>) => realDb.withSession(...a),
  dump: () => realDb.dump(),
} as unknown as D1Database;

async function measure(fn: () => Promise<unknown>): Promise<number> {
  (env as { DB: D1Database }).DB = countingDb;
  written = 0;
  try {
    await fn();
    return written;
  } finally {
    (env as { DB: D1Database }).DB = realDb;
  }
}

afterEach(() => {
  (env as { DB: D1Database }).DB = realDb;
});

describe('D1 rows written', () => {
  it('per download: the manifest view, the grant and each file request', async () => {
    const s = await readyShare({ sizes: [ciphertextSize(1000), ciphertextSize(2000)] });
    const manifest = await measure(async () => expect((await access(s, 'manifest')).status).toBe(200));
    let grant = '';
    const grantWrites = await measure(async () => (grant = (await download(s)).grant));
    const fileWrites = await measure(async () => expect((await getFile(s.id, 0, grant)).status).toBe(200));
    const rangeWrites = await measure(async () => expect((await getFile(s.id, 1, grant, { Range: 'bytes=0-99' })).status).toBe(206));
    console.log(`D1 rows written: manifest ${manifest}, download grant ${grantWrites}, file ${fileWrites}, range ${rangeWrites}`);
    // Rows written count index entries too (D1 pricing); these bounds leave room for them.
    expect(manifest).toBeGreaterThan(0);
    expect(manifest).toBeLessThanOrEqual(8);
    expect(grantWrites).toBeLessThanOrEqual(20);
    expect(fileWrites).toBeLessThanOrEqual(8);
    expect(rangeWrites).toBeLessThanOrEqual(8);
  });
});
