// Client addresses: parsing, the rate-limit key (IPv6 by /64) and log truncation
// (IPv4 to /24, IPv6 to /48).

export interface ClientIp {
  /** The address as received (normalised), or 'unknown'. */
  address: string;
  /** Rate-limit and back-off key: the IPv4 address, or the IPv6 /64 prefix. */
  key: string;
  /** Truncated form for logs: IPv4 /24, IPv6 /48. */
  truncated: string;
}

function parseV4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** 8 groups of 16 bits, or null. Accepts `::` and an embedded IPv4 tail. */
function parseV6(s: string): number[] | null {
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const items = h.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** RFC 5952 text form of 8 groups. */
function formatV6(g: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexs = g.map((x) => x.toString(16));
  if (bestStart < 0) return hexs.join(':');
  return `${hexs.slice(0, bestStart).join(':')}::${hexs.slice(bestStart + bestLen).join(':')}`;
}

export function parseClientIp(raw: string | null | undefined): ClientIp {
  const s = (raw ?? '').trim();
  const v4 = parseV4(s);
  if (v4) return fromV4(v4);
  const v6 = parseV6(s);
  if (v6) {
    // IPv4-mapped (::ffff:a.b.c.d) is IPv4.
    if (v6.slice(0, 5).every((x) => x === 0) && v6[5] === 0xffff) {
      return fromV4([v6[6] >> 8, v6[6] & 255, v6[7] >> 8, v6[7] & 255]);
    }
    const address = formatV6(v6);
    const key = `6:${v6.slice(0, 4).map((x) => x.toString(16).padStart(4, '0')).join('')}`;
    const truncated = formatV6([...v6.slice(0, 3), 0, 0, 0, 0, 0]);
    return { address, key, truncated };
  }
  return { address: 'unknown', key: 'unknown', truncated: 'unknown' };
}

function fromV4(b: number[]): ClientIp {
  const address = b.join('.');
  return { address, key: `4:${address}`, truncated: `${b[0]}.${b[1]}.${b[2]}.0` };
}
