// sealdrop send: encrypt files locally and upload them; prints the link on stdout.

import { formatBytes } from '@sealdrop/shared';
import { writeFile } from 'node:fs/promises';
import { HELP, parse, parseDuration, parsePositiveInt, serverUrl } from '../args.ts';
import { usage } from '../exit.ts';
import { collectFiles } from '../files.ts';
import { journalPath } from '../journal.ts';
import { loadSecretKey } from '../minisign/files.ts';
import { keyId } from '../minisign/format.ts';
import { sharePassword } from '../password.ts';
import { uploadShare } from '../transfer/upload.ts';
import { makeClient } from '../client.ts';
import { saveOwnerToken } from '../ownerTokens.ts';

export const help = `Usage: sealdrop send <paths...> --server URL [options]

Encrypts files (and directories, recursively) on this machine and uploads them.
Prints the link on stdout; progress goes to stderr. If the upload is interrupted,
run the same command again: it resumes without sending finished parts again.

Options:
  --server URL          the Sealdrop server (or SEALDROP_SERVER)
  --expires DURATION    how long the link works: 30m, 12h, 1d, 7d (default: the server's)
  --downloads N         how many downloads the link allows (default: 1)
  --password-file FILE  protect the share with the password in FILE
  --password-stdin      read the password from stdin
  --token TOKEN         upload token, when the server requires one (or SEALDROP_TOKEN)
  --sign SECKEY_FILE    sign each file with a minisign secret key; signatures go in the
                        encrypted manifest (--sign-password-file FILE for an encrypted key)
  --note TEXT           a note shown to the recipient (encrypted)
  --json                print {url, id, expiresAt, ownerToken, files} as JSON on stdout
  --owner-token-file F  also save the owner token in F (created 0600)
  --parallel N          parts uploaded at once (default: 2-4, by part size)
  -q, --quiet           no progress output

The owner token lets you check the share with "sealdrop status" and revoke it with
"sealdrop revoke". It is printed with --json, saved with --owner-token-file, and shown
below the link when stdout is a terminal; otherwise it is saved (0600) under the state
directory ($XDG_STATE_HOME/sealdrop/owner-tokens/ID) and stderr says where. Never on
stderr itself. Keep it private.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...HELP,
      server: { type: 'string' },
      expires: { type: 'string' },
      downloads: { type: 'string' },
      'password-file': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      token: { type: 'string' },
      sign: { type: 'string' },
      'sign-password-file': { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
      'owner-token-file': { type: 'string' },
      parallel: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    'send',
  );
  if (values.help) return console.log(help), 0;
  if (positionals.length === 0) throw usage('Nothing to send: give one or more files or directories.\nRun "sealdrop send --help" for usage.');
  const server = serverUrl(values.server)!;
  const expiresIn = values.expires ? parseDuration(values.expires, '--expires') : null;
  const maxDownloads = values.downloads ? parsePositiveInt(values.downloads, '--downloads') : 1;
  const concurrency = values.parallel ? parsePositiveInt(values.parallel, '--parallel') : undefined;
  const quiet = Boolean(values.quiet);
  const log = (msg: string) => {
    if (!quiet) process.stderr.write(`${msg}\n`);
  };

  const files = await collectFiles(positionals, (m) => process.stderr.write(`warning: ${m}\n`));
  const password = await sharePassword(values);
  const signer = values.sign ? await loadSecretKey(values.sign, values['sign-password-file']) : null;
  const token = values.token ?? process.env.SEALDROP_TOKEN ?? undefined;

  const journalFile = journalPath({
    server,
    paths: files.map((f) => f.path),
    options: { expiresIn, maxDownloads, note: values.note ?? null, sign: signer ? keyId(signer.keynum) : null, password: password !== null },
  });
  const total = files.reduce((s, f) => s + f.size, 0);
  log(`Sending ${files.length} file${files.length === 1 ? '' : 's'} (${formatBytes(total)}) to ${server}${signer ? `, signed by key id ${keyId(signer.keynum)}` : ''}.`);

  const client = makeClient(server);
  const r = await uploadShare({
    client,
    server,
    files,
    expiresIn,
    maxDownloads,
    password,
    note: values.note,
    signer,
    uploadToken: token || undefined,
    journalFile,
    concurrency,
    quiet,
    log,
  });

  if (values['owner-token-file']) await writeFile(values['owner-token-file'], `${r.ownerToken}\n`, { mode: 0o600 });
  if (values.json) {
    console.log(JSON.stringify({ url: r.url, id: r.id, expiresAt: r.expiresAt, ownerToken: r.ownerToken, files: r.files, resumedParts: r.resumedParts }, null, 2));
  } else {
    log(`Done: share ${r.id}, expires ${r.expiresAt}.`);
    console.log(r.url);
    if (process.stdout.isTTY) console.log(`owner token (for "sealdrop status" / "sealdrop revoke"; keep it private): ${r.ownerToken}`);
    else if (!values['owner-token-file']) {
      // stdout is a file or a pipe that takes only the link: keep the token where the sender can find it.
      const file = await saveOwnerToken(r.id, r.ownerToken);
      process.stderr.write(`The owner token is saved in ${file} (0600): "sealdrop status ${r.id} --owner-token-file ${file}" checks the share, "sealdrop revoke" with the same option revokes it.\n`);
    }
  }
  return 0;
}
