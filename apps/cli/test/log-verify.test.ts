// `sealdrop admin log verify` against the real stack: an intact log passes from
// the server and from every export format; an export edited the ways an
// attacker would (an IP changed, a row deleted, two rows swapped, one inserted,
// the tail cut, a checkpoint replaced) fails with exit 3 naming the row.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
let key: string;
const w = (...p: string[]) => path.join(work.dir, ...p);
const admin = (...args: string[]) => runCli(['admin', ...args, '--server', stack.url], { env: { SEALDROP_ADMIN_TOKEN: stack.adminToken } });
const verify = (file: string) => runCli(['admin', 'log', 'verify', file, '--log-key', key]);
const show = (r: CliResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

beforeAll(async () => {
  work = await tempDir('log-verify');
  stack = await startStack();
  key = (await (await fetch(`${stack.url}/api/log/key`)).json()).publicKey;
  // Some rows (each admin call is logged), sealed by the cron sweep, twice.
  for (let i = 0; i < 6; i++) await admin('stats');
  await fetch(`${stack.url}/__scheduled`);
  for (let i = 0; i < 6; i++) await admin('stats');
  await fetch(`${stack.url}/__scheduled`);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

type Line = Record<string, any>;
async function exportLines(): Promise<Line[]> {
  const r = await admin('log', 'export', '-o', w('log.jsonl'));
  expect(r.code, show(r)).toBe(0);
  return (await readFile(w('log.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
}
async function tampered(lines: Line[], name: string): Promise<CliResult> {
  await writeFile(w(name), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return verify(w(name));
}
const sealedRows = (lines: Line[]) => lines.filter((l) => !l.checkpoint && l.seq !== null);

describe('sealdrop admin log verify', () => {
  it('passes an intact log, from the server and from JSON Lines, JSON and CSV exports', async () => {
    const server = await runCli(['admin', 'log', 'verify', '--log-key', key, '--server', stack.url], { env: { SEALDROP_ADMIN_TOKEN: stack.adminToken } });
    expect(server.code, show(server)).toBe(0);
    expect(server.stdout).toMatch(/^\d+ rows, 2 checkpoints, chain intact/);
    const lines = await exportLines();
    const file = await verify(w('log.jsonl'));
    expect(file.code, show(file)).toBe(0);
    expect(file.stdout).toContain(`${sealedRows(lines).length} rows, 2 checkpoints, chain intact`);
    for (const format of ['csv', 'jsonl']) {
      const r = await admin('log', '--format', format, '-o', w(`server.${format}`));
      expect(r.code, show(r)).toBe(0);
      const v = await verify(w(`server.${format}`));
      expect(v.code, show(v)).toBe(0);
      expect(v.stdout).toContain('chain intact');
    }
    const json = await fetch(`${stack.url}/api/admin/log?limit=10000`, { headers: { Authorization: `Bearer ${stack.adminToken}` } });
    await writeFile(w('server.json'), await json.text());
    const v = await verify(w('server.json'));
    expect(v.code, show(v)).toBe(0);
  });

  it('names each tampering with exit 3', async () => {
    const lines = await exportLines();
    const rows = sealedRows(lines);
    const [r3, r4] = [rows[2], rows[3]];

    const edited = await tampered(lines.map((l) => (l === r3 ? { ...l, ip: '203.0.113.9' } : l)), 'edited.jsonl');
    expect(edited.code, show(edited)).toBe(3);
    expect(edited.stderr).toContain(`edited: row seq ${r3.seq} (id ${r3.id}) edited`);

    const removed = await tampered(lines.filter((l) => l !== r3), 'removed.jsonl');
    expect(removed.code).toBe(3);
    expect(removed.stderr).toContain(`removed: row seq ${r3.seq} removed`);

    const swapped = await tampered(lines.map((l) => (l === r3 ? { ...l, seq: r4.seq } : l === r4 ? { ...l, seq: r3.seq } : l)), 'swapped.jsonl');
    expect(swapped.code).toBe(3);
    expect(swapped.stderr).toContain(`reordered: rows seq ${r3.seq} (id ${r4.id}) and ${r4.seq} (id ${r3.id}) reordered`);

    const inserted = await tampered([...lines, { ...r3, id: 999_999, event: 'download', ip: '198.51.100.1' }], 'inserted.jsonl');
    expect(inserted.code).toBe(3);
    expect(inserted.stderr).toContain(`inserted: row id 999999 inserted at seq ${r3.seq}`);

    const last = rows[rows.length - 1];
    const truncated = await tampered(lines.filter((l) => l !== last && l !== rows[rows.length - 2]), 'truncated.jsonl');
    expect(truncated.code).toBe(3);
    expect(truncated.stderr).toContain(`removed: rows seq ${last.seq - 1}-${last.seq} removed`);

    const cp = lines.find((l) => l.checkpoint?.n === 2)!;
    const replaced = await tampered(lines.map((l) => (l === cp ? { checkpoint: { ...cp.checkpoint, count: cp.checkpoint.count - 1 } } : l)), 'replaced.jsonl');
    expect(replaced.code).toBe(3);
    expect(replaced.stderr).toContain('checkpoint: checkpoint 2: signature does not verify with this log key');

    // Another server's key is not this log's key.
    const wrongKey = await runCli(['admin', 'log', 'verify', w('log.jsonl'), '--log-key', 'A'.repeat(43)]);
    expect(wrongKey.code).toBe(3);
    const noKey = await runCli(['admin', 'log', 'verify', w('log.jsonl')]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('--log-key');
  });
});
