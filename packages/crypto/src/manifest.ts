// The encrypted manifest (DESIGN.md "Manifest"): strict parsing, the name rules
// both sender and receiver apply, the canonical JSON, padding to 4096 bytes, and
// sealing as a Cobblestone message under the manifest key.

import { decryptMessage, encryptMessage } from './cobblestone.ts';
import { MAX_MANIFEST_CIPHERTEXT_BYTES } from './constants.ts';
import { utf8Decode, utf8Encode } from './encoding.ts';
import { shareContext, type ShareKeys } from './keys.ts';

export class ManifestError extends Error {
  override name = 'ManifestError';
}

export interface ManifestFile {
  name: string;
  size: number;
  type: string;
  sha256: string;
  lastModified?: number;
}

export interface ManifestSignature {
  file: number;
  minisig: string;
}

export interface Manifest {
  v: 1;
  createdAt: string;
  files: ManifestFile[];
  note?: string;
  signatures?: ManifestSignature[];
}

export const MANIFEST_PAD_BYTES = 4096;
export const MAX_MANIFEST_FILES = 10_000;
export const MAX_NAME_BYTES = 4096;
export const MAX_SEGMENT_BYTES = 255;
export const MAX_TYPE_CHARS = 255;
export const MAX_NOTE_CHARS = 10_000;
export const MAX_MINISIG_CHARS = 4096;

// ---------------------------------------------------------------- names

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DEVICE = /^(con|prn|aux|nul|com[1-9\u00b9\u00b2\u00b3]|lpt[1-9\u00b9\u00b2\u00b3])$/i; // superscript 1-3 as escapes: the launcher's bundle of the CLI stays ASCII (apps/cli/bin/sealdrop.mjs)

function utf8Length(s: string): number {
  return utf8Encode(s).length;
}

/** Null when `name` is a safe relative path, else the reason in plain words. */
export function checkFileName(name: string): string | null {
  if (typeof name !== 'string') return 'the name is not text';
  if (name.length === 0) return 'the name is empty';
  if (LONE_SURROGATE.test(name)) return 'the name is not valid Unicode';
  if (utf8Length(name) > MAX_NAME_BYTES) return `the name is longer than ${MAX_NAME_BYTES} bytes`;
  if (CONTROL.test(name)) return 'the name contains control characters';
  if (INVISIBLE.test(name)) return 'the name contains invisible or text-direction characters (they can disguise the real extension)';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.includes(':')) return 'the name contains a colon';
  for (const segment of name.split('/')) {
    if (segment === '') return 'the path has an empty segment (a leading, trailing or doubled /)';
    if (segment === '.' || segment === '..') return `the path contains "${segment}"`;
    if (segment.endsWith('.') || segment.endsWith(' ')) return `"${segment}" ends with a dot or a space`;
    if (DEVICE.test(segment.split('.')[0].trimEnd())) return `"${segment}" is a reserved device name on Windows`;
    if (utf8Length(segment) > MAX_SEGMENT_BYTES) return `a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return null;
}

/** The form two names are compared in: NFC, then case-folded. */
function foldName(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** checkFileName for each, then no two equal after NFC and case folding, and no file that is also a folder. */
export function checkFileNames(names: string[]): string | null {
  const seen = new Map<string, string>();
  for (const name of names) {
    const reason = checkFileName(name);
    if (reason) return `${JSON.stringify(name)}: ${reason}`;
    const folded = foldName(name);
    const other = seen.get(folded);
    if (other !== undefined) return `${JSON.stringify(name)} and ${JSON.stringify(other)} are the same name`;
    seen.set(folded, name);
  }
  for (const [folded, name] of seen) {
    const parts = folded.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = seen.get(parts.slice(0, i).join('/'));
      if (folder !== undefined) return `${JSON.stringify(folder)} is both a file and the folder of ${JSON.stringify(name)}`;
    }
  }
  return null;
}

/** Splits off the final extension (".pdf") so a UI can show it apart; stem keeps any folder path. */
export function fileExtension(name: string): { stem: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  if (dot <= slash + 1 || dot === name.length - 1) return { stem: name, ext: '' };
  // app.tar.gz is a .tar.gz, not an "app.tar" of type .gz.
  const inner = name.lastIndexOf('.', dot - 1);
  if (inner > slash + 1 && DOUBLE_EXTENSIONS.has(name.slice(inner).toLowerCase())) return { stem: name.slice(0, inner), ext: name.slice(inner) };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** Compound extensions shown as one. */
const DOUBLE_EXTENSIONS = new Set(['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.zst', '.tar.lz', '.tar.lz4', '.tar.lzma', '.tar.z', '.tar.br', '.tar.sz']);

// ---------------------------------------------------------------- parsing

function fail(msg: string): never {
  throw new ManifestError(`Invalid manifest: ${msg}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`unexpected field "${k}" in ${where}`);
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Validates an untrusted, already JSON-parsed manifest. Throws ManifestError. */
export function parseManifest(json: unknown): Manifest {
  if (!isPlainObject(json)) fail('not an object');
  onlyKeys(json, ['v', 'createdAt', 'files', 'note', 'signatures'], 'the manifest');
  if (json.v !== 1) fail('unsupported version');
  const createdAt = json.createdAt;
  if (typeof createdAt !== 'string' || !ISO_UTC.test(createdAt) || Number.isNaN(Date.parse(createdAt))) fail('createdAt is not an ISO 8601 UTC time');
  const filesIn = json.files;
  if (!Array.isArray(filesIn) || filesIn.length > MAX_MANIFEST_FILES) fail(`files must list 1 to ${MAX_MANIFEST_FILES} files`);
  // No file is allowed only for a note-only share: a secret message on its own.
  const hasNote = typeof json.note === 'string' && json.note.trim() !== '';
  if (filesIn.length === 0 && !hasNote) fail(`files must list 1 to ${MAX_MANIFEST_FILES} files (or none, with a note)`);
  const files: ManifestFile[] = filesIn.map((f, i) => {
    if (!isPlainObject(f)) fail(`file ${i} is not an object`);
    onlyKeys(f, ['name', 'size', 'type', 'sha256', 'lastModified'], `file ${i}`);
    if (typeof f.name !== 'string') fail(`file ${i} has no name`);
    const reason = checkFileName(f.name);
    if (reason) fail(`file ${i}: ${reason}`);
    if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) fail(`file ${i} has an invalid size`);
    if (typeof f.type !== 'string' || f.type.length > MAX_TYPE_CHARS || CONTROL.test(f.type)) fail(`file ${i} has an invalid type`);
    if (typeof f.sha256 !== 'string' || !SHA256_HEX.test(f.sha256)) fail(`file ${i} has an invalid sha256`);
    const out: ManifestFile = { name: f.name, size: f.size, type: f.type, sha256: f.sha256 };
    if (f.lastModified !== undefined) {
      if (typeof f.lastModified !== 'number' || !Number.isSafeInteger(f.lastModified)) fail(`file ${i} has an invalid lastModified`);
      out.lastModified = f.lastModified;
    }
    return out;
  });
  const dup = checkFileNames(files.map((f) => f.name));
  if (dup) fail(dup);
  const manifest: Manifest = { v: 1, createdAt, files };
  if (json.note !== undefined) {
    if (typeof json.note !== 'string' || json.note.length > MAX_NOTE_CHARS || LONE_SURROGATE.test(json.note)) fail('invalid note');
    manifest.note = json.note;
  }
  if (json.signatures !== undefined) {
    const sigs = json.signatures;
    if (!Array.isArray(sigs) || sigs.length > files.length) fail('invalid signatures');
    const used = new Set<number>();
    manifest.signatures = sigs.map((s, i) => {
      if (!isPlainObject(s)) fail(`signature ${i} is not an object`);
      onlyKeys(s, ['file', 'minisig'], `signature ${i}`);
      if (typeof s.file !== 'number' || !Number.isInteger(s.file) || s.file < 0 || s.file >= files.length || used.has(s.file)) fail(`signature ${i} names an invalid file`);
      used.add(s.file);
      if (typeof s.minisig !== 'string' || s.minisig.length === 0 || s.minisig.length > MAX_MINISIG_CHARS) fail(`signature ${i} is invalid`);
      return { file: s.file, minisig: s.minisig };
    });
  }
  return manifest;
}

// ---------------------------------------------------------------- encoding and sealing

/** Canonical JSON (fixed key order), UTF-8, then ASCII spaces to the next multiple of 4096 bytes. */
export function encodeManifest(m: Manifest): Uint8Array {
  const canonical = parseManifest(m); // the sender obeys the same rules as the receiver
  const ordered = {
    v: 1,
    createdAt: canonical.createdAt,
    files: canonical.files.map((f) => ({ name: f.name, size: f.size, type: f.type, sha256: f.sha256, ...(f.lastModified !== undefined ? { lastModified: f.lastModified } : {}) })),
    ...(canonical.note !== undefined ? { note: canonical.note } : {}),
    ...(canonical.signatures !== undefined ? { signatures: canonical.signatures.map((s) => ({ file: s.file, minisig: s.minisig })) } : {}),
  };
  const json = utf8Encode(JSON.stringify(ordered));
  const padded = new Uint8Array(Math.ceil(json.length / MANIFEST_PAD_BYTES) * MANIFEST_PAD_BYTES).fill(0x20);
  padded.set(json);
  return padded;
}

/** Encrypts the manifest under the share's manifest key (salt: fresh unless given, for known answers). */
export async function sealManifest(keys: ShareKeys, id: string, manifest: Manifest, salt?: Uint8Array): Promise<Uint8Array> {
  const ct = await encryptMessage(keys.manifestKey, encodeManifest(manifest), { context: shareContext(id), salt, aead: 'AEAD_AES_256_GCM' });
  if (ct.length > MAX_MANIFEST_CIPHERTEXT_BYTES) throw new ManifestError('The manifest is too large (too many files or names too long).');
  return ct;
}

/** Decrypts and strictly parses a manifest. Throws CobblestoneError or ManifestError. */
export async function openManifest(keys: ShareKeys, id: string, ciphertext: Uint8Array): Promise<Manifest> {
  if (ciphertext.length > MAX_MANIFEST_CIPHERTEXT_BYTES) throw new ManifestError('Invalid manifest: too large');
  const plain = await decryptMessage(keys.manifestKey, ciphertext, { context: shareContext(id), aead: 'AEAD_AES_256_GCM' });
  if (plain.length === 0 || plain.length % MANIFEST_PAD_BYTES !== 0) fail('not padded to a multiple of 4096 bytes');
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0x20) end--;
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(plain.subarray(0, end)));
  } catch {
    fail('not JSON');
  }
  return parseManifest(json);
}
