// The tamper-evident log's routes (docs/LOG.md): the public log key, and for
// admins the checkpoints, the whole chain paged by seq (what `sealdrop admin
// log verify --server` reads), and the chain state the dashboard shows.
import type { LogChainResponse, LogCheckpointsResponse, LogKeyResponse, LogStatusResponse } from '@sealdrop/shared';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { adminAuth } from '../middleware/auth.ts';
import { Fail } from '../lib/errors.ts';
import { toLogRow, type LogDbRow } from '../lib/log.ts';
import { logKey, toLogCheckpoint, type CheckpointRow } from '../lib/logchain.ts';

const CHAIN_PAGE = 5000;

function intParam(v: string | undefined, def: number, max: number, name: string): number {
  if (v === undefined) return def;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(v) || Number(v) > max) throw new Fail('bad_request', `${name}: must be a decimal integer up to ${max}`);
  return Number(v);
}

export const logRoutes = new Hono<AppEnv>()
  .get('/api/log/key', (c) => c.json({ alg: 'Ed25519', publicKey: logKey(c.env).publicKey } satisfies LogKeyResponse))

  .use('/api/admin/log/*', adminAuth)

  .get('/api/admin/log/checkpoints', async (c) => {
    const { results } = await c.env.DB.prepare('SELECT * FROM log_checkpoints ORDER BY n').all<CheckpointRow>();
    return c.json({ checkpoints: results.map(toLogCheckpoint) } satisfies LogCheckpointsResponse);
  })

  .get('/api/admin/log/chain', async (c) => {
    const after = intParam(c.req.query('after'), 0, Number.MAX_SAFE_INTEGER, 'after');
    const limit = intParam(c.req.query('limit'), CHAIN_PAGE, CHAIN_PAGE, 'limit') || CHAIN_PAGE;
    const { results } = await c.env.DB.prepare('SELECT * FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?').bind(after, limit).all<LogDbRow>();
    let rows = results;
    if (rows.length < limit) {
      // The sealed rows are done: the unsealed tail follows (and rows without seq an attacker left behind).
      const tail = await c.env.DB.prepare('SELECT * FROM access_log WHERE seq IS NULL ORDER BY id LIMIT ?').bind(limit).all<LogDbRow>();
      rows = [...rows, ...tail.results];
    }
    const next = results.length === limit ? results[results.length - 1].seq : null;
    return c.json({ rows: rows.map(toLogRow), next } satisfies LogChainResponse);
  })

  .get('/api/admin/log/status', async (c) => {
    const last = await c.env.DB.prepare('SELECT * FROM log_checkpoints ORDER BY n DESC LIMIT 1').first<CheckpointRow>();
    const unsealed = await c.env.DB.prepare('SELECT COUNT(*) AS n FROM access_log WHERE id > ? AND seq IS NULL')
      .bind(last?.last_id ?? 0)
      .first<{ n: number }>();
    return c.json({
      sealedRows: last ? last.last_seq - last.retained : 0,
      unsealedRows: unsealed?.n ?? 0,
      retained: last?.retained ?? 0,
      lastCheckpoint: last ? toLogCheckpoint(last) : null,
      publicKey: logKey(c.env).publicKey,
    } satisfies LogStatusResponse);
  });
