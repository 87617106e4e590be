// What the recipient page shows of a minisign signature from the manifest: the
// signer's key id (as minisign prints it) and the trusted comment. It proves
// "signed by key id X" only once checked against a public key obtained outside
// the share (minisign -V, or `sealdrop verify`); the page says so.

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
