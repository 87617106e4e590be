// Sealing the access log (docs/LOG.md), run by the cron sweep: the rows written
// since the last checkpoint are chained in id order and one signed checkpoint
// covers them; retention drops whole old checkpoints' rows (never checkpoints)
// and the new checkpoint records how far, so a verifier can tell retention from
// removal. Writers never wait for this: the hot path's INSERT is unchanged.
import { chainHash, checkpointHash, deriveLogKey, signCheckpoint, ZERO_HASH, type ChainRow, type Checkpoint } from '@sealdrop/crypto';
import type { LogCheckpoint } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { config } from './config.ts';
import { toLogRow, type LogDbRow } from './log.ts';
import { serverSecret } from './secrets.ts';
import { checkpointOutbox } from './webhooks.ts';
import { iso, now } from './time.ts';

/** Rows sealed per sweep (a backlog is taken over the next runs). */
export const SEAL_BATCH = 10_000;
/** Rows one UPDATE statement seals (its JSON parameter stays well under D1's limits). */
const UPDATE_CHUNK = 2000;
/** Retention drops at most about this many rows per sweep (whole checkpoints). */
const RETENTION_BATCH = 5000;
const DAY = 24 * 3600_000;

export interface CheckpointRow {
  n: number;
  first_seq: number;
  last_seq: number;
  count: number;
  head: string;
  prev: string;
  at: number;
  retained: number;
  sig: string;
  last_id: number;
}

const keys = new Map<string, ReturnType<typeof deriveLogKey>>();
/** The log signing key, derived from SERVER_SECRET (cached per secret). */
export function logKey(env: Env): ReturnType<typeof deriveLogKey> {
  const secret = serverSecret(env);
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = deriveLogKey(secret)));
  return k;
}

export function toCheckpoint(r: CheckpointRow): Checkpoint {
  return { n: r.n, first: r.first_seq, last: r.last_seq, count: r.count, head: r.head, prev: r.prev, at: r.at, retained: r.retained, sig: r.sig };
}

export function toLogCheckpoint(r: CheckpointRow): LogCheckpoint {
  return { ...toCheckpoint(r), at: iso(r.at) };
}

/** The chain's view of a row: the wire row with the time in ms, as it is hashed. */
export function toChainRow(r: LogDbRow): ChainRow {
  return { ...toLogRow(r), at: r.at };
}

export interface SealReport {
  sealed: number;
  /** Rows dropped by retention. */
  dropped: number;
  /** The checkpoint written, if any. */
  checkpoint: LogCheckpoint | null;
}

async function retentionPoint(env: Env, last: CheckpointRow | null, t: number): Promise<number> {
  const retained = last?.retained ?? 0;
  const { results } = await env.DB.prepare(
    `SELECT last_seq, count FROM log_checkpoints WHERE at < ? AND last_seq > ? ORDER BY n LIMIT 100`,
  )
    .bind(t - config(env).logRetentionDays * DAY, retained)
    .all<{ last_seq: number; count: number }>();
  let point = retained;
  let rows = 0;
  for (const c of results) {
    if (rows > 0 && rows + c.count > RETENTION_BATCH) break;
    rows += c.count;
    point = c.last_seq;
  }
  return point;
}

/**
 * Seals the unsealed rows (up to SEAL_BATCH) and applies retention, in one D1
 * batch with the new checkpoint. Two sweeps racing: the second's checkpoint
 * number is taken, so its whole batch rolls back and changes nothing.
 */
export async function sealLog(env: Env, t = now()): Promise<SealReport> {
  const last = await env.DB.prepare('SELECT * FROM log_checkpoints ORDER BY n DESC LIMIT 1').first<CheckpointRow>();
  const { results: rows } = await env.DB.prepare('SELECT * FROM access_log WHERE id > ? AND seq IS NULL ORDER BY id LIMIT ?')
    .bind(last?.last_id ?? 0, SEAL_BATCH)
    .all<LogDbRow>();
  const retained = await retentionPoint(env, last, t);
  if (rows.length === 0 && retained === (last?.retained ?? 0)) return { sealed: 0, dropped: 0, checkpoint: null };

  const first = (last?.last_seq ?? 0) + 1;
  let head = last?.head ?? ZERO_HASH;
  const sealed: [number, number, string][] = rows.map((r, i) => {
    head = chainHash(head, toChainRow({ ...r, seq: first + i }));
    return [r.id, first + i, head];
  });
  const cp = signCheckpoint(
    {
      n: (last?.n ?? 0) + 1,
      first,
      last: first + rows.length - 1,
      count: rows.length,
      head,
      prev: last ? checkpointHash(toCheckpoint(last)) : ZERO_HASH,
      at: t,
      retained,
    },
    logKey(env).seed,
  );

  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < sealed.length; i += UPDATE_CHUNK) {
    stmts.push(
      env.DB.prepare(
        `UPDATE access_log SET seq = j.value ->> 1, hash = j.value ->> 2
         FROM json_each(?) AS j WHERE access_log.id = j.value ->> 0 AND access_log.seq IS NULL`,
      ).bind(JSON.stringify(sealed.slice(i, i + UPDATE_CHUNK))),
    );
  }
  stmts.push(
    env.DB.prepare('DELETE FROM access_log WHERE seq > ? AND seq <= ?').bind(last?.retained ?? 0, retained),
    env.DB.prepare(
      `INSERT INTO log_checkpoints (n, first_seq, last_seq, count, head, prev, at, retained, sig, last_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(cp.n, cp.first, cp.last, cp.count, cp.head, cp.prev, cp.at, cp.retained, cp.sig, rows.at(-1)?.id ?? last?.last_id ?? 0),
    checkpointOutbox(env, cp, { ...cp, at: iso(cp.at) }),
  );
  const res = await env.DB.batch(stmts);
  const dropped = res[res.length - 3].meta.changes;
  return { sealed: rows.length, dropped, checkpoint: { ...cp, at: iso(cp.at) } };
}
