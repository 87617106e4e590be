// CSV export (RFC 4180): every field quoted, and any cell that a spreadsheet
// would read as a formula (starting with = + - @ TAB CR) prefixed with '. A
// cell that starts with ' gets one too, so a reader strips exactly one ' and
// gets the value back (the log verifier re-hashes CSV exports).
const FORMULA_START = /^[=+\-@\t\r']/;

export function csvCell(v: unknown): string {
  let s = v == null ? '' : String(v);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function csvLine(cells: unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
