// Sealdrop links: https://host[/prefix]/s/<id>#<S>. The secret S lives only in the
// fragment; it is never logged and never sent to the server.

import { isShareId, parseLinkSecret } from '@sealdrop/crypto';
import { usage } from './exit.ts';
import { readStdinText } from './password.ts';

export interface ParsedLink {
  server: string;
  id: string;
  /** The link secret S (43 characters), or null for a link without its key. */
  secret: string | null;
}

export function parseLink(text: string, { needSecret }: { needSecret: boolean }): ParsedLink {
  const raw = text.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage('That is not a Sealdrop link (expected https://host/s/<id>#<key>).');
  }
  const m = /^(.*)\/s\/([^/]+)\/?$/.exec(url.pathname);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !m) throw usage('That is not a Sealdrop link (expected https://host/s/<id>#<key>).');
  if (!isShareId(m[2])) throw usage('The link is damaged: its share id is not valid. Copy the whole link again.');
  const secret = url.hash.length > 1 ? url.hash.slice(1) : null;
  if (needSecret) parseLinkSecret(secret ?? ''); // throws LinkError with advice
  return { server: url.origin + m[1].replace(/\/+$/, ''), id: m[2], secret };
}

/** "-" (or nothing, when stdin is not a terminal) reads the link from stdin, keeping it out of shell history. */
export async function linkArgument(arg: string | undefined): Promise<string> {
  if (arg === '-' || (arg === undefined && !process.stdin.isTTY)) {
    const text = (await readStdinText()).trim().split(/\s+/)[0] ?? '';
    if (!text) throw usage('No link on stdin.');
    return text;
  }
  if (!arg) throw usage('Give the link (or "-" to read it from stdin).');
  return arg;
}

/** A link, or a bare share id with --server / SEALDROP_SERVER (for owner commands). */
export function linkOrId(arg: string, server: string | undefined): { server: string; id: string } {
  if (isShareId(arg)) {
    if (!server) throw usage('With a bare share id, give --server URL (or set SEALDROP_SERVER).');
    return { server, id: arg };
  }
  const l = parseLink(arg, { needSecret: false });
  return { server: server ?? l.server, id: l.id };
}
