// The one byte formatter of the product (web pages, admin dashboard, CLI).
// Binary units with IEC names (KiB, MiB, GiB): the server's limits and part
// sizes are powers of two (16 MiB parts, 10 GiB per file), so they read as round
// numbers, and "MiB" cannot be mistaken for a decimal megabyte.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 0 → "0 bytes", 1 → "1 byte", 1536 → "1.5 KiB", 200 MiB → "200 MiB"; "—" for a non-number. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${Math.round(n)} ${Math.round(n) === 1 ? 'byte' : 'bytes'}`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${Number(v.toFixed(digits))} ${UNITS[i]}`;
}

/** A transfer speed: "12.5 MiB/s"; "—" when unknown. */
export function formatSpeed(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** The access log's country: "local" for loopback requests (a local run has no country, whatever the runtime makes up). */
export function countryLabel(ip: string | null | undefined, country: string | null | undefined): string {
  if (ip && (ip.startsWith('127.') || ip === '::1' || ip === '::ffff:127.0.0.1')) return 'local';
  return country ?? '—';
}
