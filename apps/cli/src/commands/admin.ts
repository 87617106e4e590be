// sealdrop admin: the dashboard's actions from a terminal, with SEALDROP_ADMIN_TOKEN.

import { countryLabel, formatBytes } from '@sealdrop/shared';
import { readFile, writeFile } from 'node:fs/promises';
import { ApiError } from '@sealdrop/shared/errors';
import type { ShareStatus } from '@sealdrop/shared';
import { HELP, parse, parseDuration, parsePositiveInt, serverUrl } from '../args.ts';
import { CliError, EXIT, fromApiError, usage } from '../exit.ts';
import { table } from '../table.ts';
import { makeClient } from '../client.ts';

export const help = `Usage: sealdrop admin <action> [options]   (--server URL or SEALDROP_SERVER)

The admin token comes from SEALDROP_ADMIN_TOKEN (or --admin-token-file FILE).

Actions:
  shares [--status S] [--limit N] [--all]   list shares (S: uploading, ready, expired,
                                            exhausted, revoked, deleted)
  show ID                                   one share with its access log and reports
  revoke ID                                 revoke a share
  revoke-all --yes                          revoke every uploading and ready share
  stats                                     active shares, stored bytes, last 24 h
  log [--since T] [--until T] [--share ID] [--event E] [--format table|json|csv|jsonl] [-o FILE]
                                            the access log; csv and jsonl are exports
  tokens                                    list API tokens
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
    },
    'admin',
  );
  if (values.help || positionals.length === 0) {
    console.log(help);
    return values.help ? 0 : EXIT.usage;
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
        const id = rest[0];
        if (!id) throw usage('admin revoke ID');
        const r = await admin.revoke(id);
        if (json) out(r);
        else process.stderr.write(`Share ${id} is revoked.\n`);
        return 0;
      }
      case 'revoke-all': {
        if (!values.yes) throw usage('This revokes EVERY uploading and ready share. Add --yes to confirm.');
        const r = await admin.revokeAll();
        if (json) out(r);
        else console.log(`Revoked ${r.revoked} share${r.revoked === 1 ? '' : 's'}.`);
        return 0;
      }
      case 'stats': {
        const s = await admin.stats();
        if (json) return out(s), 0;
        console.log(`Active shares: ${s.activeShares}\nStored: ${formatBytes(s.storedBytes)}\nDownloads (24 h): ${s.downloads24h}\nFailed access (24 h): ${s.failedAuth24h}\nOpen reports: ${s.openReports}`);
        return 0;
      }
      case 'log': {
        const format = values.format ?? (json ? 'json' : 'table');
        if (!['table', 'json', 'csv', 'jsonl'].includes(format)) throw usage('--format must be table, json, csv or jsonl.');
        const q = { since: values.since, until: values.until, share: values.share, event: values.event };
        let text: string;
        if (format === 'csv' || format === 'jsonl') text = await admin.exportLog(format, q);
        else {
          const { rows } = await admin.log(q);
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
      case 'tokens': {
        const sub = rest[0] ?? 'list';
        if (sub === 'list') {
          const { tokens } = await admin.tokens();
          if (json) return out(tokens), 0;
          console.log(table(['id', 'label', 'scope', 'created', 'expires', 'revoked'], tokens.map((t) => [t.id, t.label, t.scope, t.createdAt, t.expiresAt, t.revokedAt ?? ''])));
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
      if (e.status === 401 || e.status === 403) {
        throw usage('The server refused the admin token. Set SEALDROP_ADMIN_TOKEN to the server\'s ADMIN_TOKEN or to an admin token that is not expired or revoked.');
      }
      if (e.status === 503) throw new CliError(EXIT.network, 'Administration is disabled on this server (no ADMIN_TOKEN configured).');
      throw fromApiError(e, action === 'show' || action === 'revoke' ? 'Share' : 'Admin');
    }
    throw e;
  }
}
