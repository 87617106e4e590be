// Reading a log export back (JSON, JSON Lines or CSV, as GET /api/admin/log or
// `sealdrop admin log export` writes them) into chain rows and checkpoints for
// verifyLog. Throws LogExportError on anything that is not such an export.
import { verifyLog, type ChainRow, type Checkpoint } from './logchain.ts';

export class LogExportError extends Error {
  override name = 'LogExportError';
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (v == null || v === '' ? null : String(v));
function num(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new LogExportError(`${what}: not an integer`);
  return n;
}
function ms(v: unknown, what: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new LogExportError(`${what}: not an ISO time`);
  return t;
}

/** A row of an export (the wire LogRow: ISO time, camelCase). */
export function chainRowFromJson(o: Json): ChainRow {
  const id = num(o.id, 'row id');
  return {
    id,
    seq: o.seq == null || o.seq === '' ? null : num(o.seq, `row ${id} seq`),
    hash: str(o.hash),
    at: ms(o.at, `row ${id} at`),
    shareId: str(o.shareId),
    event: String(o.event ?? ''),
    ip: str(o.ip),
    country: str(o.country),
    userAgent: str(o.userAgent),
    outcome: str(o.outcome),
    detail: str(o.detail),
    tokenId: str(o.tokenId),
  };
}

export function checkpointFromJson(o: Json): Checkpoint {
  const n = num(o.n, 'checkpoint n');
  const w = `checkpoint ${n}`;
  return {
    n,
    first: num(o.first, `${w} first`),
    last: num(o.last, `${w} last`),
    count: num(o.count, `${w} count`),
    head: String(o.head),
    prev: String(o.prev),
    at: ms(o.at, `${w} at`),
    retained: num(o.retained, `${w} retained`),
    sig: String(o.sig),
  };
}

/** RFC 4180 records; a cell's one leading ' (the formula guard) is removed. */
function csvRecords(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endCell = () => {
    row.push(cell.startsWith("'") ? cell.slice(1) : cell);
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (cell += ch), i++;
    } else if (ch === '"') (quoted = true), i++;
    else if (ch === ',') endCell(), i++;
    else if (ch === '\r' || ch === '\n') {
      endCell();
      out.push(row);
      row = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else (cell += ch), i++;
  }
  if (cell || row.length) endCell(), out.push(row);
  return out;
}

export function parseLogExport(text: string): { rows: ChainRow[]; checkpoints: Checkpoint[] } {
  const rows: ChainRow[] = [];
  const checkpoints: Checkpoint[] = [];
  const take = (o: unknown) => {
    if (!o || typeof o !== 'object') throw new LogExportError('not a log export: a record is not an object');
    const j = o as Json;
    if (j.checkpoint && typeof j.checkpoint === 'object') checkpoints.push(checkpointFromJson(j.checkpoint as Json));
    else rows.push(chainRowFromJson(j));
  };
  const t = text.trimStart();
  try {
    if (t.startsWith('"id"')) {
      const [head, ...records] = csvRecords(t);
      for (const rec of records) {
        if (rec.length === 1 && rec[0] === '') continue;
        const o = Object.fromEntries(head.map((k, i) => [k, rec[i] ?? '']));
        if (o.checkpoint) checkpoints.push(checkpointFromJson(JSON.parse(o.checkpoint) as Json));
        else rows.push(chainRowFromJson(o));
      }
    } else if (t.startsWith('{"rows"') || t.startsWith('{\n')) {
      const j = JSON.parse(t) as { rows?: unknown[]; checkpoints?: unknown[] };
      if (!Array.isArray(j.rows) || !Array.isArray(j.checkpoints)) throw new LogExportError('not a log export: no rows and checkpoints');
      for (const r of j.rows) take(r);
      for (const c of j.checkpoints) checkpoints.push(checkpointFromJson(c as Json));
    } else {
      for (const line of t.split('\n')) if (line.trim()) take(JSON.parse(line));
    }
  } catch (e) {
    if (e instanceof LogExportError) throw e;
    throw new LogExportError(`not a log export: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { rows, checkpoints };
}

/** Verifies rows and checkpoints as the API sends them (LogRow, LogCheckpoint with ISO times). */
export function verifyWireLog(data: { rows: readonly object[]; checkpoints: readonly object[] }, publicKey: string) {
  return verifyLog(
    data.rows.map((r) => chainRowFromJson(r as Json)),
    data.checkpoints.map((c) => checkpointFromJson(c as Json)),
    publicKey,
  );
}
