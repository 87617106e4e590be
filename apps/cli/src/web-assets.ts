// Checks a served web app against its published asset list (/asset-hashes.txt,
// sha256sum format, written by apps/web/vite.config.ts) and, optionally, against a
// local build of the same commit: the browser's only way to know the JavaScript it
// runs is the JavaScript the source gives.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Files of a build that the asset server reads but never serves (not listed). */
export const NOT_SERVED = new Set(['asset-hashes.txt', '_headers', '_redirects', '.assetsignore']);

export interface AssetList {
  entries: Map<string, string>;
  problems: string[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** `HASH  path` lines; anything else, or a path that leaves the site root, is a problem. */
export function parseAssetList(text: string): AssetList {
  const entries = new Map<string, string>();
  const problems: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64})  (.+)$/.exec(line);
    const p = m?.[2];
    if (!m || !p || p.startsWith('/') || p.includes('\\') || p.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      problems.push(`asset-hashes.txt line ${i + 1} is not "SHA256  path": ${JSON.stringify(line.slice(0, 120))}`);
    } else if (entries.has(p)) problems.push(`asset-hashes.txt lists ${p} twice`);
    else entries.set(p, m[1]);
  }
  return { entries, problems };
}

/** Hashes of every served file of a local build folder. */
export async function hashBuild(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of all) {
    if (!e.isFile() || (path.resolve(e.parentPath) === path.resolve(dir) && NOT_SERVED.has(e.name))) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    out.set(rel, sha256(await readFile(path.join(e.parentPath, e.name))));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The rules of a Workers/Pages `_headers` file: URL pattern → headers. */
export function parseHeaders(text: string): { pattern: string; headers: [string, string][] }[] {
  const rules: { pattern: string; headers: [string, string][] }[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), headers: [] });
    else {
      const i = line.indexOf(':');
      if (i > 0 && rules.length) rules[rules.length - 1].headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
    }
  }
  return rules;
}

function matches(pattern: string, urlPath: string): boolean {
  if (pattern.endsWith('*')) return urlPath.startsWith(pattern.slice(0, -1));
  return pattern === urlPath;
}

export interface VerifyOptions {
  fetch: (url: string) => Promise<Response>;
  buildDir?: string;
}

export interface VerifyResult {
  checked: number;
  mismatches: string[];
}

/** Every mismatch between the server at `base`, its list, and (given) the build. */
export async function verifyWeb(base: string, o: VerifyOptions): Promise<VerifyResult> {
  const mismatches: string[] = [];
  const listRes = await o.fetch(`${base}/asset-hashes.txt`);
  if (listRes.status !== 200) return { checked: 0, mismatches: [`asset-hashes.txt: HTTP ${listRes.status} (expected 200)`] };
  const listText = await listRes.text();
  const served = parseAssetList(listText);
  mismatches.push(...served.problems);

  let headerRules: ReturnType<typeof parseHeaders> = [];
  if (o.buildDir) {
    const local = await hashBuild(o.buildDir);
    for (const [p, h] of local) {
      if (!served.entries.has(p)) mismatches.push(`${p}: in the build, not in the served list`);
      else if (served.entries.get(p) !== h) mismatches.push(`${p}: the served list says ${served.entries.get(p)}, the build has ${h}`);
    }
    for (const p of served.entries.keys()) if (!local.has(p)) mismatches.push(`${p}: in the served list, not in the build`);
    const localList = await readFile(path.join(o.buildDir, 'asset-hashes.txt'), 'utf8').catch(() => null);
    if (localList !== null && localList !== listText) mismatches.push('asset-hashes.txt: the served list differs from the build\'s');
    const headersFile = await readFile(path.join(o.buildDir, '_headers'), 'utf8').catch(() => null);
    if (headersFile !== null) headerRules = parseHeaders(headersFile);
  }

  let checked = 0;
  for (const [p, listed] of served.entries) {
    const res = await o.fetch(`${base}/${p.split('/').map(encodeURIComponent).join('/')}`);
    const body = new Uint8Array(await res.arrayBuffer());
    checked++;
    if (res.status !== 200) {
      mismatches.push(`${p}: HTTP ${res.status}${res.headers.get('location') ? ` to ${res.headers.get('location')}` : ''} (expected 200 at /${p})`);
      continue;
    }
    const got = sha256(body);
    if (got !== listed) mismatches.push(`${p}: served bytes hash to ${got}, the list says ${listed}`);
    for (const rule of headerRules) {
      if (!matches(rule.pattern, `/${p}`)) continue;
      for (const [name, value] of rule.headers) {
        const actual = res.headers.get(name);
        if (actual !== value) mismatches.push(`${p}: header ${name} is ${actual === null ? 'missing' : JSON.stringify(actual)}, _headers says ${JSON.stringify(value)}`);
      }
    }
  }
  return { checked, mismatches };
}
