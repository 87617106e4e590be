// Log exports (GET /api/admin/log?format=): every row carries its seq and hash,
// and the checkpoints ride along, so an export alone can be verified
// (`sealdrop admin log verify FILE`, docs/LOG.md "Exports").
import type { LogCheckpoint, LogFormat, LogRow } from '@sealdrop/shared';
import { csvLine } from './csv.ts';

export const LOG_COLUMNS = ['id', 'at', 'shareId', 'event', 'ip', 'country', 'userAgent', 'outcome', 'detail', 'tokenId', 'seq', 'hash', 'checkpoint'] as const;

export interface LogExport {
  body: string;
  contentType: string;
  extension: string;
}

/** json: {rows, checkpoints}; jsonl: one row per line, then {"checkpoint": …} lines; csv: a checkpoint column. */
export function logExport(rows: LogRow[], checkpoints: LogCheckpoint[], format: Exclude<LogFormat, 'json'>): LogExport {
  if (format === 'jsonl') {
    const lines = [...rows.map((r) => JSON.stringify(r)), ...checkpoints.map((c) => JSON.stringify({ checkpoint: c }))];
    return { body: lines.map((l) => `${l}\n`).join(''), contentType: 'application/x-ndjson; charset=utf-8', extension: 'jsonl' };
  }
  const rowLines = rows.map((r) => csvLine(LOG_COLUMNS.map((k) => (k === 'checkpoint' ? null : r[k]))));
  const cpLines = checkpoints.map((c) => csvLine(LOG_COLUMNS.map((k) => (k === 'checkpoint' ? JSON.stringify(c) : null))));
  return { body: csvLine([...LOG_COLUMNS]) + rowLines.join('') + cpLines.join(''), contentType: 'text/csv; charset=utf-8', extension: 'csv' };
}
