// Turns `send` arguments into the share's file list: a file keeps its base name, a
// directory is walked recursively and its files get relative `/` paths under the
// directory's name. Names must pass DESIGN.md's rules (checkFileNames), as the
// receiver will check them too.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkFileNames } from '@sealdrop/crypto';
import { usage } from './exit.ts';

export interface InputFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

async function walk(dir: string, prefix: string, out: InputFile[], warn: (msg: string) => void): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    const name = `${prefix}/${e.name}`;
    if (e.isDirectory()) await walk(full, name, out, warn);
    else if (e.isFile()) {
      const s = await stat(full);
      out.push({ name, path: full, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
    } else if (e.isSymbolicLink()) {
      // Follow links to files; never follow links to folders (no loops, no escapes).
      const s = await stat(full).catch(() => null);
      if (s?.isFile()) out.push({ name, path: full, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
      else warn(`Skipping ${full}: a symbolic link to ${s ? 'a folder' : 'nothing'}.`);
    } else warn(`Skipping ${full}: not a regular file.`);
  }
}

export async function collectFiles(args: string[], warn: (msg: string) => void): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const arg of args) {
    const abs = path.resolve(arg);
    const s = await stat(abs).catch((e: NodeJS.ErrnoException) => {
      throw usage(`Cannot read ${arg}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code}.`);
    });
    const base = path.basename(abs);
    if (s.isDirectory()) {
      const before = out.length;
      await walk(abs, base, out, warn);
      if (out.length === before) warn(`${arg} holds no files.`);
    } else if (s.isFile()) {
      out.push({ name: base, path: abs, size: s.size, mtimeMs: Math.floor(s.mtimeMs) });
    } else throw usage(`${arg} is neither a file nor a directory.`);
  }
  if (out.length === 0) throw usage('Nothing to send: no files found.');
  const bad = checkFileNames(out.map((f) => f.name));
  if (bad) throw usage(`Cannot send this name: ${bad}. Rename the file and try again.`);
  return out;
}

const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.xz': 'application/x-xz',
  '.zst': 'application/zstd',
  '.7z': 'application/x-7z-compressed',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.html': 'text/html',
  '.deb': 'application/vnd.debian.binary-package',
  '.rpm': 'application/x-rpm',
  '.exe': 'application/vnd.microsoft.portable-executable',
  '.dmg': 'application/x-apple-diskimage',
  '.apk': 'application/vnd.android.package-archive',
};

/** A MIME type hint from the extension (the receiver never renders by it). */
export function typeHint(name: string): string {
  return TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}
