// What the recipient page shows of a minisign signature from the manifest: the
// signer's key id (as minisign prints it) and the trusted comment. It proves
// "signed by key id X" only once checked against a public key obtained outside
// the share (minisign -V, or `sealdrop verify`); the page says so. The recipient
// can save each signature as NAME.minisig beside the file, or get it in the ZIP.
import type { Manifest } from '@sealdrop/crypto';
import type { ZipExtra } from '../transfer/downloadTypes.ts';

export interface MinisigInfo {
  keyId: string;
  trustedComment: string;
}

/** Null when the text is not a minisign signature. */
export function readMinisig(text: string): MinisigInfo | null {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length < 4 || !lines[0].startsWith('untrusted comment: ') || !lines[2].startsWith('trusted comment: ')) return null;
  let raw: string;
  try {
    raw = atob(lines[1].trim());
  } catch {
    return null;
  }
  if (raw.length !== 74 || (raw.slice(0, 2) !== 'ED' && raw.slice(0, 2) !== 'Ed')) return null;
  // keynum: 8 bytes, shown as a little-endian 64-bit number in uppercase hex.
  let keyId = '';
  for (let i = 9; i >= 2; i--) keyId += raw.charCodeAt(i).toString(16).padStart(2, '0').toUpperCase();
  return { keyId, trustedComment: lines[2].slice('trusted comment: '.length).slice(0, 300) };
}

/** minisign -V looks for FILE.minisig next to FILE. */
export function minisigName(fileName: string): string {
  return `${fileName}.minisig`;
}

/**
 * The signatures as ZIP entries beside their files, dated like the share. A
 * signature whose name a file of the share already has is left out (never
 * replace a file the sender sent).
 */
export function minisigExtras(m: Manifest, indices: number[]): ZipExtra[] {
  const taken = new Set(m.files.map((f) => f.name.normalize('NFC').toLowerCase()));
  const at = Date.parse(m.createdAt);
  return (m.signatures ?? [])
    .filter((s) => indices.includes(s.file))
    .map((s) => ({ name: minisigName(m.files[s.file].name), text: s.minisig, lastModified: m.files[s.file].lastModified ?? at }))
    .filter((e) => !taken.has(e.name.normalize('NFC').toLowerCase()));
}

/** Saves one signature as a small text download (never rendered in this origin). */
export function saveMinisig(fileName: string, text: string): void {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = minisigName(base);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
