// sealdrop sign: FILE.minisig in minisign's format ("ED": Ed25519 over BLAKE2b-512).

import { writeFile } from 'node:fs/promises';
import { HELP, parse } from '../args.ts';
import { usage } from '../exit.ts';
import { formatSignature, keyId } from '../minisign/format.ts';
import { loadSecretKey } from '../minisign/files.ts';
import { signFile } from '../minisign/sign.ts';

export const help = `Usage: sealdrop sign FILE... -s SECKEY_FILE [-t TRUSTED_COMMENT] [-x SIG_FILE] [--password-file FILE]

Signs each FILE and writes FILE.minisig (minisign's format; minisign -Vm verifies it).
  -s FILE              secret key file (minisign's or sealdrop keygen's)
  -t TEXT              trusted comment (default: timestamp:<now>\\tfile:<name>\\thashed)
  -x FILE              signature file (only with one FILE; default FILE.minisig)
  --password-file F    password of an encrypted secret key (else asked on the terminal)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, s: { type: 'string' }, t: { type: 'string' }, x: { type: 'string' }, m: { type: 'string' }, 'password-file': { type: 'string' } }, 'sign');
  if (values.help) return console.log(help), 0;
  const files = [...(values.m ? [values.m] : []), ...positionals];
  if (files.length === 0) throw usage('Nothing to sign: give at least one FILE.');
  if (!values.s) throw usage('-s SECKEY_FILE is required.');
  if (values.x && files.length > 1) throw usage('-x names one signature file: use it with a single FILE.');
  const sk = await loadSecretKey(values.s, values['password-file']);
  for (const file of files) {
    const sig = await signFile(sk, file, values.t);
    const out = values.x ?? `${file}.minisig`;
    await writeFile(out, formatSignature(sig));
    process.stderr.write(`Signed ${file} with key id ${keyId(sk.keynum)}: ${out}\n`);
  }
  return 0;
}
