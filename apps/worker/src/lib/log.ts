// The access log: one row per create, finalize, manifest view, download grant,
// file request, failed signature, rate limit, revoke, report, sweep deletion and
// admin action. IPs per IP_LOGGING; user agents capped and stripped of controls.
import { MAX_USER_AGENT_CHARS, type LogEvent, type LogRow } from '@sealdrop/shared';
import type { Env } from '../env.ts';
import { config } from './config.ts';
import type { ClientIp } from './ip.ts';
import { clean } from './text.ts';
import { iso, now } from './time.ts';

export interface LogEntry {
  shareId?: string | null;
  event: LogEvent;
  /** 'ok', or an error code such as 'forbidden'. */
  outcome?: string;
  detail?: string;
  tokenId?: string | null;
}

export interface LogContext {
  env: Env;
  req: Request;
  ip: ClientIp;
}

export function logIp(env: Env, ip: ClientIp): string | null {
  const mode = config(env).ipLogging;
  if (mode === 'none' || ip.address === 'unknown') return null;
  return mode === 'truncated' ? ip.truncated : ip.address;
}

function country(req: Request): string | null {
  const cf = (req as { cf?: { country?: unknown } }).cf;
  const c = typeof cf?.country === 'string' ? cf.country : req.headers.get('CF-IPCountry');
  return c && /^[A-Z0-9]{2}$/.test(c) ? c : null;
}

/** The statement that writes one log row (so it can join a D1 batch). */
export function logStatement(ctx: LogContext, e: LogEntry, at = now()): D1PreparedStatement {
  return ctx.env.DB.prepare(
    `INSERT INTO access_log (share_id, event, at, ip, country, user_agent, outcome, detail, token_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).bind(
    e.shareId ?? null,
    e.event,
    at,
    logIp(ctx.env, ctx.ip),
    country(ctx.req),
    clean(ctx.req.headers.get('User-Agent'), MAX_USER_AGENT_CHARS),
    clean(e.outcome ?? 'ok', 40),
    clean(e.detail ?? null, 1000),
    e.tokenId ?? null,
  );
}

export async function writeLog(ctx: LogContext, e: LogEntry): Promise<void> {
  await logStatement(ctx, e).run();
}

export interface LogDbRow {
  id: number;
  share_id: string | null;
  event: LogEvent;
  at: number;
  ip: string | null;
  country: string | null;
  user_agent: string | null;
  outcome: string | null;
  detail: string | null;
  token_id: string | null;
  /** Place in the hash chain and h_seq (hex), once the sweep has sealed the row. */
  seq: number | null;
  hash: string | null;
}

export function toLogRow(r: LogDbRow): LogRow {
  return {
    id: r.id,
    shareId: r.share_id,
    event: r.event,
    at: iso(r.at),
    ip: r.ip,
    country: r.country,
    userAgent: r.user_agent,
    outcome: r.outcome,
    detail: r.detail,
    tokenId: r.token_id,
    seq: r.seq ?? null,
    hash: r.hash ?? null,
  };
}
