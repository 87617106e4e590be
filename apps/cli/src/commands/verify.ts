// sealdrop verify: checks FILE against FILE.minisig and a public key, as minisign -V.

import { HELP, parse } from '../args.ts';
import { EXIT, integrity, usage } from '../exit.ts';
import { parseSignature } from '../minisign/format.ts';
import { loadPublicKey, loadSignatureText } from '../minisign/files.ts';
import { verifyFile } from '../minisign/sign.ts';

export const help = `Usage: sealdrop verify FILE (-p PUBKEY_FILE | -P PUBKEY) [-x SIG_FILE] [-q]

Verifies a minisign signature (prehashed "ED" or legacy "Ed") and its trusted comment.
  -p FILE     public key file        -P KEY   public key as a base64 string (RW...)
  -x FILE     signature file (default FILE.minisig)
  -q          print nothing on success
Exits 0 when the signature is valid, 3 when it is not.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, p: { type: 'string' }, P: { type: 'string' }, x: { type: 'string' }, m: { type: 'string' }, q: { type: 'boolean' } }, 'verify');
  if (values.help) return console.log(help), 0;
  const files = [...(values.m ? [values.m] : []), ...positionals];
  if (files.length !== 1) throw usage('Give exactly one FILE to verify.');
  if (!values.p === !values.P) throw usage('Give the public key with -p FILE or -P KEY (one of them).');
  const file = files[0];
  const pub = await loadPublicKey((values.p ?? values.P)!);
  const sig = parseSignature(await loadSignatureText(values.x ?? `${file}.minisig`));
  const result = await verifyFile(pub, sig, file);
  if (!result.ok) throw integrity(`${file}: ${result.reason}.`);
  if (!values.q) console.log(`Signature and comment signature verified\nTrusted comment: ${result.trustedComment}`);
  return EXIT.ok;
}
