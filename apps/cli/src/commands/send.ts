// sealdrop send: encrypt files locally and upload them; prints the link on stdout.

import { formatBytes, shareRulesProblems, type ShareRules } from '@sealdrop/shared';
import { writeFile } from 'node:fs/promises';
import { HELP, parse, parseDuration, parsePositiveInt, parseTimeout, serverUrl } from '../args.ts';
import { setRequestTimeout } from '../transfer/http.ts';
import { usage } from '../exit.ts';
import { collectFiles } from '../files.ts';
import { journalPath } from '../journal.ts';
import { loadSecretKey } from '../minisign/files.ts';
import { keyId } from '../minisign/format.ts';
import { sharePassword } from '../password.ts';
import { uploadShare } from '../transfer/upload.ts';
import { makeClient } from '../client.ts';
import { checkedRequest, loadRecipients, parseRequestLink } from '../recipients.ts';
import { displayFingerprint } from '@sealdrop/crypto';
import { requestShareExpiry } from '@sealdrop/transfer';
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
  --to RECIPIENT        seal the share to a public key (sealdrop-pq1:...) or to every key
                        in a file (one a line); repeatable, 1-20 keys. The link then holds
                        no secret: only those keys open it ("sealdrop receive --identity")
  --request LINK        send to a file request (https://host/r/<id>#<fingerprint>): sealed
                        to the requester's key, checked against the link's fingerprint
                        (exit 3, nothing sent, if the server offers another key)
  --label K:V           tag the share (partner:acme, release:2026-12); repeatable, at most 10
  --require-partner L   the link opens only together with a partner download token carrying
                        label L ("sealdrop receive LINK --token T")
  --country CC          the share opens only from these countries (ISO code, DE); repeatable
  --network CIDR        the share opens only from these networks (10.0.0.0/8, 2001:db8::/32);
                        repeatable
  --publish-sha256      also send each file's SHA-256 to the server as public metadata, so
                        webhook and receipt notifications can show it (off by default: the
                        server otherwise learns no hash of your files)
  --json                print {url, id, expiresAt, ownerToken, files} as JSON on stdout
  --owner-token-file F  also save the owner token in F (created 0600)
  --notify URL          post this share's views, downloads, wrong passwords, revoke and
                        deletion to URL as signed JSON; the signing secret is printed
                        once (a second stdout line, or "notify" in --json)
  --parallel N          parts uploaded at once (default: 2-4, by part size)
  --timeout SECONDS     cut a request that makes no progress for this long and retry it;
                        after the retries, exit 2 (default: 30; 0: never; or SEALDROP_TIMEOUT)
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
      notify: { type: 'string' },
      parallel: { type: 'string' },
      timeout: { type: 'string' },
      to: { type: 'string', multiple: true },
      request: { type: 'string' },
      label: { type: 'string', multiple: true },
      'require-partner': { type: 'string' },
      country: { type: 'string', multiple: true },
      network: { type: 'string', multiple: true },
      'publish-sha256': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    'send',
  );
  if (values.help) return console.log(help), 0;
  if (positionals.length === 0) throw usage('Nothing to send: give one or more files or directories.\nRun "sealdrop send --help" for usage.');
  if (values.to?.length && values.request) throw usage('Give --to or --request, not both: a request share is sealed to the requester only.');
  const requestLink = values.request ? parseRequestLink(values.request) : null;
  const server = requestLink?.server ?? serverUrl(values.server)!;
  let expiresIn = values.expires ? parseDuration(values.expires, '--expires') : null;
  const maxDownloads = values.downloads ? parsePositiveInt(values.downloads, '--downloads') : 1;
  const concurrency = values.parallel ? parsePositiveInt(values.parallel, '--parallel') : undefined;
  setRequestTimeout(parseTimeout(values.timeout));
  const rules: ShareRules = {
    ...(values.label?.length ? { labels: values.label } : {}),
    ...(values['require-partner'] !== undefined ? { requireLabel: values['require-partner'] } : {}),
    ...(values.country?.length ? { countries: values.country.map((c) => c.toUpperCase()) } : {}),
    ...(values.network?.length ? { networks: values.network } : {}),
    ...(values['publish-sha256'] ? { publishSha256: true as const } : {}),
  };
  const ruleProblems = shareRulesProblems(rules);
  if (ruleProblems.length) throw usage(`${ruleProblems.map(ruleFlag).join('\n')}\nRun "sealdrop send --help" for usage.`);
  const quiet = Boolean(values.quiet);
  const log = (msg: string) => {
    if (!quiet) process.stderr.write(`${msg}\n`);
  };

  const files = await collectFiles(positionals, (m) => process.stderr.write(`warning: ${m}\n`));
  const password = await sharePassword(values);
  const signer = values.sign ? await loadSecretKey(values.sign, values['sign-password-file']) : null;
  const token = values.token ?? process.env.SEALDROP_TOKEN ?? undefined;
  let recipients = values.to?.length ? await loadRecipients(values.to) : undefined;
  const client = makeClient(server);
  if (requestLink) {
    // Before anything is sent: the key must be the one the link names.
    const { recipient, info } = await checkedRequest(client, requestLink);
    recipients = [recipient];
    log(`Sending to request ${requestLink.id}: sealed to the key with fingerprint ${displayFingerprint(recipient.fingerprint)}.`);
    expiresIn = requestShareExpiry(info, expiresIn);
  }

  const journalFile = journalPath({
    server,
    paths: files.map((f) => f.path),
    options: { expiresIn: requestLink ? null : expiresIn, ...(recipients ? { to: recipients.map((r) => r.fingerprint), request: requestLink?.id ?? null } : {}), maxDownloads, note: values.note ?? null, sign: signer ? keyId(signer.keynum) : null, password: password !== null, ...(Object.keys(rules).length ? { rules } : {}) },
  });
  const total = files.reduce((s, f) => s + f.size, 0);
  log(`Sending ${files.length} file${files.length === 1 ? '' : 's'} (${formatBytes(total)}) to ${server}${signer ? `, signed by key id ${keyId(signer.keynum)}` : ''}.`);

  const r = await uploadShare({
    client,
    server,
    files,
    expiresIn,
    maxDownloads,
    password,
    note: values.note,
    signer,
    uploadToken: requestLink ? undefined : token || undefined,
    recipients,
    request: requestLink?.id,
    rules,
    journalFile,
    concurrency,
    quiet,
    log,
  });

  if (values['owner-token-file']) await writeFile(values['owner-token-file'], `${r.ownerToken}\n`, { mode: 0o600 });
  // Receipts are asked for once the share exists; a refused URL leaves the share as sent.
  let notify: { url: string; secret: string } | null = null;
  let notifyError: unknown = null;
  if (values.notify) notify = await client.notify(r.id, r.ownerToken, values.notify).catch((e: unknown) => ((notifyError = e), null));
  if (values.json) {
    console.log(JSON.stringify({ url: r.url, id: r.id, expiresAt: r.expiresAt, ownerToken: r.ownerToken, files: r.files, resumedParts: r.resumedParts, ...(notify ? { notify } : {}) }, null, 2));
  } else {
    log(`Done: share ${r.id}, expires ${r.expiresAt}.`);
    console.log(r.url);
    if (rules.publishSha256) log('The SHA-256 of each file was published to the server (--publish-sha256).');
    if (recipients) log(`The link holds no secret: only ${recipients.length === 1 ? 'the key' : `these ${recipients.length} keys`} ${recipients.map((k) => displayFingerprint(k.fingerprint)).join(', ')} open${recipients.length === 1 ? 's' : ''} it.`);
    if (notify) console.log(`notify secret (checks the signature of what ${notify.url} receives; shown once): ${notify.secret}`);
    if (process.stdout.isTTY) console.log(`owner token (for "sealdrop status" / "sealdrop revoke"; keep it private): ${r.ownerToken}`);
    else if (!values['owner-token-file']) {
      // stdout is a file or a pipe that takes only the link: keep the token where the sender can find it.
      const file = await saveOwnerToken(r.id, r.ownerToken);
      process.stderr.write(`The owner token is saved in ${file} (0600): "sealdrop status ${r.id} --owner-token-file ${file}" checks the share, "sealdrop revoke" with the same option revokes it.\n`);
    }
  }
  if (notifyError) throw usage(`The share was sent, but --notify was refused: ${notifyError instanceof Error ? notifyError.message : String(notifyError)}`);
  return 0;
}

const FLAG_OF: Record<string, string> = { labels: '--label', requireLabel: '--require-partner', countries: '--country', networks: '--network' };
/** A shared validator's sentence, told in terms of the flag the user typed. */
const ruleFlag = (problem: string) => problem.replace(/^(\w+)/, (f) => FLAG_OF[f] ?? f);
