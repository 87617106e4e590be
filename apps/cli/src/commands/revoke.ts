// sealdrop revoke: the owner ends a share now (objects deleted, grants end).

import { readFile } from 'node:fs/promises';
import { ApiError } from '@sealdrop/shared/errors';
import { HELP, parse, serverUrl } from '../args.ts';
import { fromApiError, printable, usage } from '../exit.ts';
import { linkOrId } from '../link.ts';
import { makeClient } from '../client.ts';

export const help = `Usage: sealdrop revoke <link | id> --owner-token TOKEN [--advisory TEXT] [--server URL]

Revokes a share: its link stops working at once and its data is deleted.
--advisory leaves a short plain-text notice recipients see instead of
"withdrawn" (e.g. "sent to the wrong person; ask me for a new link"); run it
again on a revoked share to change the notice.
The owner token was printed by "sealdrop send" (or use --owner-token-file FILE,
or SEALDROP_OWNER_TOKEN).`;

export async function ownerToken(values: { 'owner-token'?: string; 'owner-token-file'?: string }): Promise<string> {
  if (values['owner-token-file']) return (await readFile(values['owner-token-file'], 'utf8')).trim();
  const t = values['owner-token'] ?? process.env.SEALDROP_OWNER_TOKEN;
  if (!t) throw usage('The owner token is needed: --owner-token TOKEN, --owner-token-file FILE or SEALDROP_OWNER_TOKEN.');
  return t.trim();
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, 'owner-token': { type: 'string' }, 'owner-token-file': { type: 'string' }, server: { type: 'string' }, advisory: { type: 'string' } }, 'revoke');
  if (values.help) return console.log(help), 0;
  if (positionals.length !== 1) throw usage('Give the link or the share id.');
  const { server, id } = linkOrId(positionals[0], serverUrl(values.server, false));
  const token = await ownerToken(values);
  const client = makeClient(server);
  const refused = (e: unknown) => {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw usage('The server refused the owner token for this share.');
    throw e instanceof ApiError ? fromApiError(e, 'Share') : e;
  };
  await client.revoke(id, token).catch(refused);
  process.stderr.write(`Share ${id} is revoked.\n`);
  if (values.advisory !== undefined) {
    const r = await client.setAdvisory(id, token, values.advisory).catch(refused);
    process.stderr.write(`Recipients now read: ${printable(r.advisory ?? '')}\n`);
  }
  return 0;
}
