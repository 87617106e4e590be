// sealdrop report: tell a server's administrators that a share is abusive
// (POST /api/shares/:id/report). Only the share id and the reason are sent:
// the link's key never leaves this machine.

import { MAX_REPORT_CHARS } from '@sealdrop/shared';
import { ApiError } from '@sealdrop/shared/errors';
import { HELP, parse, serverUrl } from '../args.ts';
import { CliError, EXIT, fromApiError, usage } from '../exit.ts';
import { linkOrId } from '../link.ts';
import { makeClient } from '../client.ts';

export const help = `Usage: sealdrop report <link | id> --reason TEXT [--server URL]

Reports a share to the administrators of its server (malware, phishing, content
you believe is illegal). They can withdraw it; you get no answer here. Only the
share id and the reason are sent, never the key in the link. The reason is at most
${MAX_REPORT_CHARS} characters.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, reason: { type: 'string' }, server: { type: 'string' } }, 'report');
  if (values.help) return console.log(help), 0;
  if (positionals.length !== 1) throw usage('Give the link or the share id to report.');
  const reason = values.reason?.trim();
  if (!reason) throw usage('Say what is wrong with the share: --reason TEXT.');
  if (reason.length > MAX_REPORT_CHARS) throw usage(`The reason is ${reason.length} characters long; shorten it to ${MAX_REPORT_CHARS}.`);
  const { server, id } = linkOrId(positionals[0], serverUrl(values.server, false));
  await makeClient(server)
    .report(id, reason)
    .catch((e) => {
      if (e instanceof ApiError && e.code === 'rate_limited') {
        const wait = e.retryAfter ? `in ${Math.ceil(e.retryAfter / 60)} min` : 'later';
        throw new CliError(EXIT.network, `Too many reports were sent from here or about this share, so this one was not sent. Try again ${wait}.`);
      }
      throw e instanceof ApiError ? fromApiError(e) : e;
    });
  process.stderr.write(`Report sent to the administrators of ${server}.\n`);
  return 0;
}
