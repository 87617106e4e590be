// Owner tokens that had nowhere else to go: `send` with stdout redirected and no
// --owner-token-file would otherwise throw the token away, and the sender could
// never check or revoke that share. One 0600 file per share in the state directory.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from './journal.ts';

export async function saveOwnerToken(id: string, token: string): Promise<string> {
  const dir = path.join(stateDir(), 'owner-tokens');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, id);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  return file;
}
