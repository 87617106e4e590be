// Reads the ZIPs the recipient page makes (client-zip: stored, uncompressed
// entries), CRC-checked, with each entry's DOS date and time.
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  data: Buffer;
  /** The entry's DOS date and time, read as UTC (run the browser with timezoneId 'UTC'). */
  date: Date;
}

export function zipEntries(zip: Buffer): Map<string, ZipEntry> {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const time = zip.readUInt16LE(p + 12);
    const day = zip.readUInt16LE(p + 14);
    const crc = zip.readUInt32LE(p + 16);
    const size = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (method !== 0) throw new Error(`${name}: not stored`);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('bad local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (crc32(data) >>> 0 !== crc) throw new Error(`${name}: CRC mismatch`);
    const date = new Date(Date.UTC((day >> 9) + 1980, ((day >> 5) & 15) - 1, day & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2));
    out.set(name, { data, date });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** name → bytes. */
export function unzipStored(zip: Buffer): Map<string, Buffer> {
  return new Map([...zipEntries(zip)].map(([name, e]) => [name, e.data]));
}
