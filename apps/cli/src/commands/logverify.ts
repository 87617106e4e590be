// sealdrop admin log verify / export: re-compute the access log's hash chain and
// check every checkpoint signature (docs/LOG.md), from an export file or from
// the server itself. The log key must come from somewhere the operator does not
// control alone (printed by `npm start`, GET /api/log/key, pinned at setup).
import { readFile, writeFile } from 'node:fs/promises';
import { b64uDecode, LogExportError, parseLogExport, verifyLog, verifyWireLog, type LogVerdict } from '@sealdrop/crypto';
import { CliError, EXIT, usage } from '../exit.ts';
import type { makeClient } from '../client.ts';

type Admin = ReturnType<ReturnType<typeof makeClient>['admin']>;

function checkKey(key: string | undefined): string {
  if (!key) throw usage('verify needs --log-key KEY (the server prints it at start; GET /api/log/key serves it).');
  try {
    b64uDecode(key, 32);
  } catch {
    throw usage('--log-key: not an Ed25519 public key (43 base64url characters).');
  }
  return key;
}

/** Exit 3 naming each problem, or 0 with "N rows, M checkpoints, chain intact". */
function report(v: LogVerdict, json: boolean): number {
  if (json) {
    console.log(JSON.stringify(v, null, 2));
    return v.ok ? EXIT.ok : EXIT.integrity;
  }
  if (!v.ok) {
    for (const p of v.problems) process.stderr.write(`${p.kind}: ${p.message}\n`);
    throw new CliError(EXIT.integrity, `The access log was tampered with: ${v.problems.length} problem(s) above (${v.rows} rows, ${v.checkpoints} checkpoints checked).`);
  }
  const notes = [v.retained ? `${v.retained} older rows dropped by retention` : '', v.unsealed ? `${v.unsealed} rows not sealed yet` : ''].filter(Boolean);
  console.log(`${v.rows} rows, ${v.checkpoints} checkpoints, chain intact${notes.length ? ` (${notes.join('; ')})` : ''}`);
  return EXIT.ok;
}

export async function verifyFile(file: string, key: string | undefined, json: boolean): Promise<number> {
  const k = checkKey(key);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw usage(`Cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const { rows, checkpoints } = parseLogExport(text);
    return report(verifyLog(rows, checkpoints, k), json);
  } catch (e) {
    if (e instanceof LogExportError) throw usage(`${file}: ${e.message}`);
    throw e;
  }
}

export async function verifyServer(admin: Admin, key: string | undefined, json: boolean): Promise<number> {
  const k = checkKey(key);
  return report(verifyWireLog(await admin.logAll(), k), json);
}

/** The whole log with its checkpoints as JSON Lines: a file `verify FILE` checks later, anywhere. */
export async function exportAll(admin: Admin, output: string | undefined): Promise<number> {
  const { rows, checkpoints } = await admin.logAll();
  const text = [...rows.map((r) => JSON.stringify(r)), ...checkpoints.map((c) => JSON.stringify({ checkpoint: c }))].map((l) => `${l}\n`).join('');
  if (output) {
    await writeFile(output, text);
    process.stderr.write(`Wrote ${rows.length} rows and ${checkpoints.length} checkpoints to ${output}\n`);
  } else process.stdout.write(text);
  return EXIT.ok;
}
