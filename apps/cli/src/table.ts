// Plain text tables for terminals (admin and status output).

/** Control characters out of cells: log rows carry user agents and reasons from strangers. */
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

export function table(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => clean(String(c))))];
  const widths = headers.map((_, i) => Math.min(60, Math.max(...cells.map((r) => [...(r[i] ?? '')].length))));
  const fit = (s: string, w: number) => {
    const chars = [...s];
    return chars.length > w ? `${chars.slice(0, w - 1).join('')}…` : s + ' '.repeat(w - chars.length);
  };
  const line = (r: string[]) => r.map((c, i) => fit(c ?? '', widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
