// sealdrop info: what a link holds, without using a download (GET + /manifest).

import { formatBytes } from '@sealdrop/shared';
import { HELP, parse } from '../args.ts';
import { usage } from '../exit.ts';
import { linkArgument, parseLink } from '../link.ts';
import { keyId, parseSignature } from '../minisign/format.ts';
import { promptHidden, readPasswordFile } from '../password.ts';
import { openShare, readManifest } from '../transfer/download.ts';
import { makeClient } from '../client.ts';

export const help = `Usage: sealdrop info <link | -> [--password-file FILE] [--json]

Shows a share's files, sizes, SHA-256, signatures, expiry and downloads left.
Consumes no download. "-" reads the link from stdin.`;

const printable = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, 'password-file': { type: 'string' }, json: { type: 'boolean' } }, 'info');
  if (values.help) return console.log(help), 0;
  if (positionals.length > 1) throw usage('Give one link.');
  const link = parseLink(await linkArgument(positionals[0]), { needSecret: true });
  const client = makeClient(link.server);
  const share = await openShare(client, link, async () => {
    if (values['password-file']) return (await readPasswordFile(values['password-file'])).normalize('NFC');
    if (!process.stdin.isTTY) throw usage('This share is protected by a password: use --password-file FILE.');
    return (await promptHidden('Password: ')).normalize('NFC');
  });
  const { manifest, downloadsLeft, expiresAt } = await readManifest(share);
  const sigs = new Map((manifest.signatures ?? []).map((s) => [s.file, s.minisig]));
  const files = manifest.files.map((f, i) => {
    let signedBy: string | null = null;
    const m = sigs.get(i);
    if (m) {
      try {
        signedBy = keyId(parseSignature(m).keynum);
      } catch {
        signedBy = 'malformed';
      }
    }
    return { name: f.name, size: f.size, type: f.type, sha256: f.sha256, signedBy };
  });
  if (values.json) {
    console.log(JSON.stringify({ id: share.id, status: share.info.status, expiresAt, downloadsLeft, password: share.info.password !== null, createdAt: manifest.createdAt, note: manifest.note ?? null, files }, null, 2));
    return 0;
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  console.log(`Share ${share.id}: ${share.info.status}, expires ${expiresAt}, ${downloadsLeft} download${downloadsLeft === 1 ? '' : 's'} left${share.info.password ? ', password protected' : ''}`);
  console.log(`${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(total)}, created ${manifest.createdAt}`);
  if (manifest.note) console.log(`Note: ${printable(manifest.note)}`);
  for (const f of files) console.log(`  ${f.name}  ${formatBytes(f.size)}  sha256 ${f.sha256}${f.signedBy ? `  signed by key id ${f.signedBy}` : ''}`);
  return 0;
}
