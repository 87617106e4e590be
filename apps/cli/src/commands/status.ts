// sealdrop status: the owner's view of a share (downloads, wrong passwords, log).

import { countryLabel } from '@sealdrop/shared';
import { ApiError } from '@sealdrop/shared/errors';
import { HELP, parse, serverUrl } from '../args.ts';
import { fromApiError, usage } from '../exit.ts';
import { linkOrId } from '../link.ts';
import { makeClient } from '../client.ts';
import { ownerToken } from './revoke.ts';
import { table } from '../table.ts';

export const help = `Usage: sealdrop status <link | id> --owner-token TOKEN [--server URL] [--json]

Shows a share's status, expiry, downloads used, wrong passwords and access log.
The owner token was printed by "sealdrop send" (or use SEALDROP_OWNER_TOKEN).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, 'owner-token': { type: 'string' }, 'owner-token-file': { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean' } }, 'status');
  if (values.help) return console.log(help), 0;
  if (positionals.length !== 1) throw usage('Give the link or the share id.');
  const { server, id } = linkOrId(positionals[0], serverUrl(values.server, false));
  const token = await ownerToken(values);
  const client = makeClient(server);
  const s = await client.ownerStatus(id, token).catch((e) => {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw usage('The server refused the owner token for this share.');
    throw e instanceof ApiError ? fromApiError(e, 'Share') : e;
  });
  if (values.json) {
    console.log(JSON.stringify(s, null, 2));
    return 0;
  }
  console.log(`Share ${id}: ${s.status}${s.expiresAt ? `, expires ${s.expiresAt}` : ''}`);
  console.log(`Downloads: ${s.downloadsUsed} of ${s.maxDownloads} used; wrong passwords: ${s.wrongPasswords}`);
  if (s.log.length) {
    console.log('');
    console.log(table(['time', 'event', 'outcome', 'ip', 'country'], s.log.map((r) => [r.at, r.event, r.outcome ?? '', r.ip ?? '', countryLabel(r.ip, r.country)])));
  }
  return 0;
}
