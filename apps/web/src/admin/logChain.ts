// The dashboard's chain check: every row and checkpoint from the server,
// verified in this browser against the log key the admin trusts (docs/LOG.md).
import { verifyWireLog, type LogVerdict } from '@sealdrop/crypto';
import type { AdminApi } from './context.ts';

export async function verifyChain(admin: AdminApi, publicKey: string): Promise<LogVerdict> {
  return verifyWireLog(await admin.logAll(), publicKey.trim());
}

export function verdictText(v: LogVerdict): string {
  const head = `${v.rows} rows, ${v.checkpoints} checkpoints`;
  if (!v.ok) return `${head}: ${v.problems.length} problem${v.problems.length === 1 ? '' : 's'} found`;
  const notes = [v.retained ? `${v.retained} older rows dropped by retention` : '', v.unsealed ? `${v.unsealed} rows not sealed yet` : ''].filter(Boolean);
  return `${head}, chain intact${notes.length ? ` (${notes.join('; ')})` : ''}`;
}
