// sealdrop admin: the dashboard's actions from a terminal, with SEALDROP_ADMIN_TOKEN.

import { countryLabel, formatBytes } from '@sealdrop/shared';
import { readFile, writeFile } from 'node:fs/promises';
import { ApiError } from '@sealdrop/shared/errors';
import type { RevokeScopeRequest, ShareStatus } from '@sealdrop/shared';
import { HELP, parse, parseDuration, parsePositiveInt, serverUrl } from '../args.ts';
import { CliError, EXIT, fromApiError, printable, usage } from '../exit.ts';
import { table } from '../table.ts';
import { makeClient } from '../client.ts';
import * as logverify from './logverify.ts';
import * as webhooks from './webhooks.ts';

export const help = `Usage: sealdrop admin <action> [options]   (--server URL or SEALDROP_SERVER)

The admin token comes from SEALDROP_ADMIN_TOKEN (or --admin-token-file FILE).

Actions:
  shares [--status S] [--limit N] [--all]   list shares (S: uploading, ready, expired,
                                            exhausted, revoked, deleted)
  show ID                                   one share with its access log and reports
  revoke ID                                 revoke a share
  revoke --scope all|token|label|window [--token ID] [--label L] [--since T --until T]
         [--advisory TEXT] [--yes]          revoke the live shares of a scope: shows the
                                            count first, revokes only with --yes
  revoke-all --yes [--tokens]               the kill switch: every uploading and ready share
                                            and every grant; --tokens also every minted token
                                            (partner download tokens too)
  advisory ID TEXT | advisory ID --clear    the note recipients of a revoked share see
  freeze REASON                             stop new shares and downloads (reason shown to users)
  freeze                                    show whether the server is frozen
  unfreeze                                  lift the freeze
  stats                                     active shares, stored bytes, last 24 h
  log [--since T] [--until T] [--share ID] [--event E] [--limit N] [--before CURSOR] [--all]
      [--format table|json|csv|jsonl] [-o FILE]
                                            the access log, newest first, one page (--all: every
                                            page); csv and jsonl are exports
  log export [-o FILE]                      the whole log and its signed checkpoints (JSON Lines)
  log verify [FILE] --log-key KEY           re-compute the hash chain and check every checkpoint
                                            signature, of FILE (any export) or of the server;
                                            exit 3 naming each edited, inserted, reordered or
                                            removed row
  webhooks                                  list webhook endpoints with their delivery state
  webhooks create --url URL --events E,E|all [--format json|slack|ocsf] [--labels a:b,c:d]
                                            register an endpoint (its signing secret is shown once);
                                            --labels: only events of shares carrying one of them
  webhooks deliveries ID                    the endpoint's last 100 deliveries
  webhooks redeliver ID DELIVERY            send one delivery again
  webhooks delete ID                        remove an endpoint and its queue
  tokens                                    list API tokens (last use, shares made)
  tokens create --label L --scope upload|admin [--expires 30d]
                                            mint a token (shown once)
  tokens delete ID [--revoke-shares]        revoke a token; with --revoke-shares also
                                            every live share it created (a leaked CI token)

Every action takes --json for machine-readable output (log: --format json).`;

const STATUSES = ['uploading', 'ready', 'expired', 'exhausted', 'revoked', 'deleted'];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...HELP,
      server: { type: 'string' },
      'admin-token-file': { type: 'string' },
      json: { type: 'boolean' },
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      all: { type: 'boolean' },
      yes: { type: 'boolean' },
      since: { type: 'string' },
      until: { type: 'string' },
      share: { type: 'string' },
      event: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      label: { type: 'string' },
      scope: { type: 'string' },
      expires: { type: 'string' },
      'revoke-shares': { type: 'boolean' },
      'log-key': { type: 'string' },
      url: { type: 'string' },
      events: { type: 'string' },
      labels: { type: 'string' },
      token: { type: 'string' },
      advisory: { type: 'string' },
      clear: { type: 'boolean' },
      tokens: { type: 'boolean' },
      before: { type: 'string' },
    },
    'admin',
  );
  if (values.help || positionals.length === 0) {
    console.log(help);
    return values.help ? 0 : EXIT.usage;
  }
  // Verifying a file needs neither a server nor a token.
  if (positionals[0] === 'log' && positionals[1] === 'verify' && positionals[2]) {
    return logverify.verifyFile(positionals[2], values['log-key'], Boolean(values.json));
  }
  const server = serverUrl(values.server)!;
  const token = values['admin-token-file'] ? (await readFile(values['admin-token-file'], 'utf8')).trim() : process.env.SEALDROP_ADMIN_TOKEN;
  if (!token) throw usage('The admin token is needed: set SEALDROP_ADMIN_TOKEN (or use --admin-token-file FILE).');
  const admin = makeClient(server).admin(token);
  const [action, ...rest] = positionals;
  const json = Boolean(values.json);
  const out = (v: unknown) => console.log(JSON.stringify(v, null, 2));

  try {
    switch (action) {
      case 'shares': {
        if (values.status && !STATUSES.includes(values.status)) throw usage(`--status must be one of ${STATUSES.join(', ')}.`);
        const limit = values.limit ? parsePositiveInt(values.limit, '--limit') : undefined;
        let cursor = values.cursor;
        const shares = [];
        do {
          const page = await admin.shares({ status: values.status as ShareStatus | undefined, cursor, limit });
          shares.push(...page.shares);
          cursor = page.cursor ?? undefined;
        } while (values.all && cursor);
        if (json) out({ shares, cursor: cursor ?? null });
        else {
          console.log(table(
            ['id', 'status', 'created', 'expires', 'size', 'files', 'downloads', 'pw', 'bad pw', 'reports'],
            shares.map((s) => [s.id, s.status, s.createdAt, s.expiresAt ?? '', formatBytes(s.bytes), String(s.files), `${s.downloadsUsed}/${s.maxDownloads}`, s.hasPassword ? 'yes' : '', String(s.wrongPasswords), String(s.reportCount)]),
          ));
          if (cursor && !values.all) process.stderr.write(`More shares: --cursor ${cursor} (or --all)\n`);
        }
        return 0;
      }
      case 'show': {
        const id = rest[0];
        if (!id) throw usage('admin show ID');
        const s = await admin.share(id);
        if (json) return out(s), 0;
        console.log(`Share ${s.id}: ${s.status}, created ${s.createdAt}, expires ${s.expiresAt ?? '-'}`);
        console.log(`${s.files} file(s), ${formatBytes(s.bytes)}; downloads ${s.downloadsUsed}/${s.maxDownloads}; password ${s.hasPassword ? 'yes' : 'no'}; wrong passwords ${s.wrongPasswords}`);
        if (s.reports.length) {
          console.log('\nReports:');
          console.log(table(['time', 'ip', 'reason'], s.reports.map((r) => [r.at, r.ip ?? '', r.reason])));
        }
        if (s.log.length) {
          console.log('\nAccess log:');
          console.log(table(['time', 'event', 'outcome', 'ip', 'country', 'user agent'], s.log.map((r) => [r.at, r.event, r.outcome ?? '', r.ip ?? '', countryLabel(r.ip, r.country), r.userAgent ?? ''])));
        }
        return 0;
      }
      case 'revoke': {
        if (values.scope !== undefined) return await revokeScope(admin, values, json);
        const id = rest[0];
        if (!id) throw usage('admin revoke ID, or admin revoke --scope all|token|label|window');
        const r = await admin.revoke(id);
        if (json) out(r);
        else process.stderr.write(`Share ${id} is revoked.\n`);
        return 0;
      }
      case 'revoke-all': {
        if (!values.yes) throw usage(`This revokes EVERY uploading and ready share${values.tokens ? ' and every minted token (partner download tokens too)' : ''}. Add --yes to confirm.`);
        const r = await admin.revokeAll({ tokens: values.tokens });
        if (json) out(r);
        else {
          console.log(`Revoked ${plural(r.revoked, 'share')}, ended ${plural(r.grantsEnded, 'download grant')}${values.tokens ? `, revoked ${plural(r.tokensRevoked, 'API token')} and ${plural(r.downloadTokensRevoked, 'partner download token')}` : ''}.`);
          if (r.purgePending) console.log(`${plural(r.purgePending, 'revoked share')} still being deleted; the sweep finishes them. Running this again is safe.`);
        }
        return 0;
      }
      case 'advisory': {
        const id = rest[0];
        const text = rest.slice(1).join(' ') || values.advisory;
        if (!id || (!text && !values.clear)) throw usage('admin advisory ID TEXT, or admin advisory ID --clear');
        const r = await admin.setAdvisory(id, values.clear ? null : text!);
        if (json) out(r);
        else process.stderr.write(r.advisory ? `Recipients of ${id} now read: ${printable(r.advisory)}\n` : `The advisory of ${id} is removed.\n`);
        return 0;
      }
      case 'freeze': {
        const reason = rest.join(' ');
        const r = reason ? await admin.setFreeze(reason) : await admin.freeze();
        if (json) out(r);
        else if (r.freeze) console.log(`Frozen since ${r.freeze.since}: ${printable(r.freeze.reason)}\nNo new shares or downloads until "sealdrop admin unfreeze".`);
        else console.log('Not frozen.');
        return 0;
      }
      case 'unfreeze': {
        const r = await admin.unfreeze();
        if (json) out(r);
        else console.log('Not frozen: new shares and downloads are accepted again.');
        return 0;
      }
      case 'stats': {
        const s = await admin.stats();
        if (json) return out(s), 0;
        console.log(`Active shares: ${s.activeShares}\nStored: ${formatBytes(s.storedBytes)}\nDownloads (24 h): ${s.downloads24h}\nFailed access (24 h): ${s.failedAuth24h}\nFailed admin sign-ins (24 h): ${s.failedAdminSignIns24h}\nOpen reports: ${s.openReports}`);
        if (s.freeze) console.log(`Frozen since ${s.freeze.since}: ${printable(s.freeze.reason)}`);
        return 0;
      }
      case 'log': {
        if (rest[0] === 'verify') return await logverify.verifyServer(admin, values['log-key'], json);
        if (rest[0] === 'export') return await logverify.exportAll(admin, values.output);
        if (rest[0]) throw usage(`Unknown log action "${rest[0]}" (verify, export, or none for the log itself).`);
        const format = values.format ?? (json ? 'json' : 'table');
        if (!['table', 'json', 'csv', 'jsonl'].includes(format)) throw usage('--format must be table, json, csv or jsonl.');
        const limit = values.limit ? parsePositiveInt(values.limit, '--limit') : undefined;
        const q = { since: values.since, until: values.until, share: values.share, event: values.event, limit };
        let text: string;
        if (format === 'csv' || format === 'jsonl') text = await admin.exportLog(format, { ...q, before: values.before });
        else {
          const rows = [];
          let before = values.before;
          do {
            const page = await admin.log({ ...q, before });
            rows.push(...page.rows);
            before = page.cursor ?? undefined;
          } while (values.all && before);
          if (before) process.stderr.write(`Older entries: --before ${before} (or --all)\n`);
          text =
            format === 'json'
              ? JSON.stringify(rows, null, 2)
              : table(['time', 'share', 'event', 'outcome', 'ip', 'country', 'token', 'user agent'], rows.map((r) => [r.at, r.shareId ?? '', r.event, r.outcome ?? '', r.ip ?? '', countryLabel(r.ip, r.country), r.tokenId ?? '', r.userAgent ?? '']));
        }
        if (values.output) {
          await writeFile(values.output, text.endsWith('\n') ? text : `${text}\n`);
          process.stderr.write(`Wrote ${values.output}\n`);
        } else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        return 0;
      }
      case 'webhooks':
        return await webhooks.run(admin, rest, { url: values.url, events: values.events, format: values.format, labels: values.labels, json });
      case 'tokens': {
        const sub = rest[0] ?? 'list';
        if (sub === 'list') {
          const { tokens } = await admin.tokens();
          if (json) return out(tokens), 0;
          console.log(table(
            ['id', 'label', 'scope', 'created', 'last used', 'shares', 'expires', 'revoked', 'minted by'],
            tokens.map((t) => [t.id, t.label, t.scope, t.createdAt, t.lastUsedAt ?? 'never', String(t.shares), t.expiresAt, t.revokedAt ?? '', t.createdBy ?? '']),
          ));
          return 0;
        }
        if (sub === 'create') {
          if (!values.label) throw usage('tokens create needs --label TEXT.');
          if (values.scope !== 'upload' && values.scope !== 'admin') throw usage('tokens create needs --scope upload or --scope admin.');
          const expiresIn = values.expires ? parseDuration(values.expires, '--expires') : 30 * 86400;
          const t = await admin.createToken({ label: values.label, scope: values.scope, expiresIn });
          if (json) return out(t), 0;
          process.stderr.write(`Token ${t.id} (${t.scope}, "${t.label}") expires ${t.expiresAt}. It is shown once:\n`);
          console.log(t.token);
          return 0;
        }
        if (sub === 'delete') {
          if (!rest[1]) throw usage('tokens delete ID');
          const r = await admin.deleteToken(rest[1], { revokeShares: values['revoke-shares'] });
          if (json) out(r);
          else if (values['revoke-shares']) process.stderr.write(`Token ${rest[1]} is revoked, and so are the ${r.revokedShares} live share(s) it created.\n`);
          else process.stderr.write(`Token ${rest[1]} is revoked.\n`);
          return 0;
        }
        throw usage(`Unknown tokens action "${sub}" (list, create, delete).`);
      }
      default:
        throw usage(`Unknown admin action "${action}".\n\n${help}`);
    }
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.status === 401) {
        throw usage('The server refused the admin token. Set SEALDROP_ADMIN_TOKEN to the server\'s ADMIN_TOKEN or to an admin token that is not expired or revoked.');
      }
      if (e.status === 403) throw usage(`The server refused this action for this admin token: ${printable(e.message)}.`);
      if (e.status === 503) throw new CliError(EXIT.network, 'Administration is disabled on this server (no ADMIN_TOKEN configured).');
      throw fromApiError(e, action === 'show' || action === 'revoke' || action === 'advisory' ? 'Share' : 'Admin');
    }
    throw e;
  }
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

type Admin = ReturnType<ReturnType<typeof makeClient>['admin']>;
type Values = { scope?: string; token?: string; label?: string; since?: string; until?: string; advisory?: string; yes?: boolean };

/** admin revoke --scope …: the dry-run count first, then (with --yes) the revocation and what it did. */
async function revokeScope(admin: Admin, v: Values, json: boolean): Promise<number> {
  let req: RevokeScopeRequest;
  switch (v.scope) {
    case 'all':
      req = { scope: 'all' };
      break;
    case 'token':
      if (!v.token) throw usage('--scope token needs --token ID.');
      req = { scope: 'token', token: v.token };
      break;
    case 'label':
      if (!v.label) throw usage('--scope label needs --label LABEL (a label such as partner:acme, or the name of the upload tokens).');
      req = { scope: 'label', label: v.label };
      break;
    case 'window':
      if (!v.since || !v.until) throw usage('--scope window needs --since T and --until T (ISO times, e.g. 2026-01-01T00:00:00Z).');
      req = { scope: 'window', since: v.since, until: v.until };
      break;
    default:
      throw usage('--scope must be all, token, label or window.');
  }
  const dry = await admin.revokeScope({ ...req, dryRun: true });
  if (!v.yes) {
    if (json) console.log(JSON.stringify(dry, null, 2));
    else console.log(`Would revoke ${plural(dry.revoked, 'live share')} and end ${plural(dry.grantsEnded, 'download grant')}. Add --yes to revoke.`);
    return 0;
  }
  process.stderr.write(`Revoking ${plural(dry.revoked, 'live share')}…\n`);
  const r = await admin.revokeScope({ ...req, ...(v.advisory ? { advisory: v.advisory } : {}) });
  if (json) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`Revoked ${plural(r.revoked, 'share')}, ended ${plural(r.grantsEnded, 'download grant')}.`);
    if (r.purgePending) console.log(`${plural(r.purgePending, 'revoked share')} still being deleted; the sweep finishes them.`);
  }
  return 0;
}
