// One clock for the whole worker. Times are integer milliseconds in D1 and
// ISO 8601 UTC strings on the wire.

export const now = (): number => Date.now();

export const iso = (ms: number): string => new Date(ms).toISOString();

export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms));
