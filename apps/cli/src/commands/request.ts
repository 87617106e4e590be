// sealdrop request new|list|close: file requests (v1.1). A request link is bound
// to the requester's public key; whatever arrives through it is sealed to that key.

import { displayFingerprint } from '@sealdrop/crypto';
import { formatBytes } from '@sealdrop/shared';
import { ApiError } from '@sealdrop/shared/errors';
import { closeFileRequest, createFileRequest, listRequestShares, requestLinkPath, withRetry } from '@sealdrop/transfer';
import { HELP, parse, parseDuration, parsePositiveInt, serverUrl } from '../args.ts';
import { makeClient } from '../client.ts';
import { usage } from '../exit.ts';
import { loadIdentities, parseRequestLink, recipientFailure } from '../recipients.ts';
import { table } from '../table.ts';
import { ownerToken } from './revoke.ts';

export const help = `Usage: sealdrop request new --identity FILE --server URL [--expires D] [--max-shares N] [--max-bytes SIZE] [--json]
       sealdrop request list LINK --owner-token T [--json]
       sealdrop request close LINK --owner-token T [--revoke-shares]

File requests: a link anyone can use to send you files that only your identity opens.
  new      create a request bound to the first identity in FILE (or SEALDROP_IDENTITY);
           prints the link https://host/r/<id>#<fingerprint> on stdout; --json prints
           {url, id, ownerToken, expiresAt}. Keep the owner token: it lists and closes.
           --expires DURATION  how long senders can use it (default: the server's)
           --max-shares N      how many shares it takes (1-100, default 10)
           --max-bytes SIZE    total size it takes, e.g. 500M, 2G (default: the server's share limit)
           --token TOKEN       upload token, when the server requires one (or SEALDROP_TOKEN)
  list     what arrived, newest first, with links to open ("sealdrop receive LINK --identity FILE")
  close    no more shares are taken; --revoke-shares also revokes what arrived
Senders use "sealdrop send PATHS --request LINK".`;

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** "500M", "2G", "1048576" → bytes (binary units). */
export function parseSize(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(s.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw usage(`${flag}: "${s}" is not a size (use e.g. 500M, 2G or a number of bytes).`);
  return n;
}

const options = {
  ...HELP,
  identity: { type: 'string' },
  server: { type: 'string' },
  expires: { type: 'string' },
  'max-shares': { type: 'string' },
  'max-bytes': { type: 'string' },
  token: { type: 'string' },
  'owner-token': { type: 'string' },
  'owner-token-file': { type: 'string' },
  'revoke-shares': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, options, 'request');
  if (values.help) return console.log(help), 0;
  const [sub, ...rest] = positionals;
  try {
    if (sub === 'new') return await create(values, rest);
    if (sub === 'list' || sub === 'close') {
      if (rest.length !== 1) throw usage(`request ${sub} needs the request link: sealdrop request ${sub} LINK --owner-token T`);
      const link = parseRequestLink(rest[0], { needFingerprint: false });
      const token = await ownerToken(values);
      const client = makeClient(link.server);
      const refused = (e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw usage('The server refused the owner token for this request.');
        throw e;
      };
      if (sub === 'list') {
        const shares = await listRequestShares(client, link.id, token).catch(refused);
        const rows = shares.map((s) => ({ ...s, url: `${link.server}/s/${s.id}` }));
        if (values.json) console.log(JSON.stringify({ shares: rows }, null, 2));
        else if (rows.length === 0) process.stderr.write('Nothing has arrived yet.\n');
        else console.log(table(['arrived', 'status', 'files', 'size', 'downloads left', 'link'], rows.map((s) => [s.createdAt, s.status, String(s.files), formatBytes(s.bytes), String(s.downloadsLeft), s.url])));
        return 0;
      }
      const r = await closeFileRequest(client, link.id, token, { revokeShares: Boolean(values['revoke-shares']) }).catch(refused);
      process.stderr.write(`Request ${link.id} is closed${values['revoke-shares'] ? `; ${r.revokedShares} share${r.revokedShares === 1 ? '' : 's'} revoked` : ''}.\n`);
      return 0;
    }
  } catch (e) {
    throw recipientFailure(e, 'request');
  }
  throw usage(sub ? `unknown request command "${sub}": use "new", "list" or "close".` : 'request needs a command: "new", "list LINK" or "close LINK".');
}

async function create(values: ReturnType<typeof parse<typeof options>>['values'], rest: string[]): Promise<number> {
  if (rest.length) throw usage(`request new takes no argument (got "${rest[0]}").`);
  const identities = await loadIdentities(values.identity);
  if (!identities) throw usage('request new needs --identity FILE (or SEALDROP_IDENTITY): whatever arrives is sealed to its key.');
  const identity = identities[0];
  const server = serverUrl(values.server)!;
  const client = makeClient(server);
  const config = await withRetry(() => client.config());
  const expiresIn = values.expires ? parseDuration(values.expires, '--expires') : config.defaultExpirySeconds;
  const maxShares = values['max-shares'] ? parsePositiveInt(values['max-shares'], '--max-shares') : 10;
  const maxBytes = values['max-bytes'] ? parseSize(values['max-bytes'], '--max-bytes') : config.maxShareBytes;
  if (maxShares > 100) throw usage('--max-shares: at most 100.');
  if (maxBytes > config.maxShareBytes) throw usage(`--max-bytes: this server takes at most ${formatBytes(config.maxShareBytes)} per request.`);
  if (expiresIn > config.maxExpirySeconds) throw usage(`--expires is longer than this server allows (at most ${Math.floor(config.maxExpirySeconds / 3600)} h).`);
  const token = values.token ?? process.env.SEALDROP_TOKEN ?? undefined;
  const r = await createFileRequest(client, identity, { expiresIn, maxShares, maxBytes, uploadToken: token || undefined });
  const url = server + requestLinkPath(r.id, r.fingerprint);
  if (values.json) console.log(JSON.stringify({ url, id: r.id, ownerToken: r.ownerToken, expiresAt: r.expiresAt }, null, 2));
  else {
    console.log(url);
    process.stderr.write(`Request ${r.id}: up to ${maxShares} share${maxShares === 1 ? '' : 's'}, ${formatBytes(maxBytes)} in all, until ${r.expiresAt}; sealed to fingerprint ${displayFingerprint(r.fingerprint)}.\n`);
    if (process.stdout.isTTY) console.log(`owner token (for "sealdrop request list/close"; keep it private): ${r.ownerToken}`);
  }
  return 0;
}
