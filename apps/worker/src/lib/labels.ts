// Labels (`key:value`) on tokens and shares, stored as JSON arrays of strings.
// The schemas in packages/shared validate them; this module reads them back and
// builds the SQL that filters by one label.

/** A stored JSON array of strings (anything else reads as no labels). */
export function parseLabels(stored: string | null | undefined): string[] {
  if (!stored) return [];
  try {
    const v: unknown = JSON.parse(stored);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The labels a share gets: those of the token that created it, then its own, without repeats. */
export function mergeLabels(inherited: string[], own: string[] = []): string[] {
  return [...new Set([...inherited, ...own])];
}

/** SQL: the JSON array column `column` holds the label bound as `param` (e.g. '?5'). */
export function hasLabelSql(column: string, param: string): string {
  return `EXISTS (SELECT 1 FROM json_each(${column}) WHERE json_each.value = ${param})`;
}

/** `{labels}` for an API object, or nothing when there are none (older clients compare shapes). */
export function labelFields(stored: string | null | undefined): { labels?: string[] } {
  const l = parseLabels(stored);
  return l.length ? { labels: l } : {};
}
