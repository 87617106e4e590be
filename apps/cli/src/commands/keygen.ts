// sealdrop keygen: a minisign key pair (public key file + secret key file).

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HELP, parse } from '../args.ts';
import { usage } from '../exit.ts';
import { formatPublicKeyFile, formatSecretKeyFile, keyId, publicKeyString } from '../minisign/format.ts';
import { encryptSecretKey, generateKeyPair, publicKeyOf } from '../minisign/keys.ts';
import { canPrompt, promptHidden, readPasswordFile } from '../password.ts';

export const help = `Usage: sealdrop keygen [-p PUBKEY_FILE] [-s SECKEY_FILE] [-W] [-f] [--password-file FILE]

Makes a minisign-compatible signing key pair (Ed25519).
  -p FILE              public key file (default: ./minisign.pub)
  -s FILE              secret key file, written 0600 (default: ~/.minisign/minisign.key)
  -W                   do not encrypt the secret key (as minisign -W; for CI secrets stores)
  --password-file F    password that encrypts the secret key (else asked twice on the terminal)
  -f, --force          overwrite existing key files

The secret key is encrypted exactly as minisign does (scrypt, 1 GiB, 32-byte salt), so
minisign -S accepts it and sealdrop sign accepts minisign's keys.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...HELP, p: { type: 'string' }, s: { type: 'string' }, W: { type: 'boolean' }, f: { type: 'boolean' }, force: { type: 'boolean' }, 'password-file': { type: 'string' } }, 'keygen');
  if (values.help) return console.log(help), 0;
  const pubFile = values.p ?? 'minisign.pub';
  const secFile = values.s ?? path.join(process.env.MINISIGN_CONFIG_DIR ?? path.join(os.homedir(), '.minisign'), 'minisign.key');
  const force = values.f || values.force;
  for (const f of [pubFile, secFile]) if (!force && existsSync(f)) throw usage(`${f} already exists. Add -f to overwrite the existing key pair.`);
  if (values.W && values['password-file']) throw usage('-W makes an unencrypted key: do not give --password-file with it.');

  let password: Uint8Array | null = null;
  if (!values.W) {
    let pw: string;
    if (values['password-file']) pw = await readPasswordFile(values['password-file']);
    else {
      if (!canPrompt()) throw usage('A password is needed to encrypt the secret key: use --password-file FILE, or -W for an unencrypted key.');
      pw = await promptHidden('Password for the new secret key: ');
      if ((await promptHidden('Password (again): ')) !== pw) throw usage("The passwords don't match.");
      if (!pw) throw usage('The password is empty; use -W for an unencrypted key.');
    }
    password = new TextEncoder().encode(pw);
    process.stderr.write('Deriving a key from the password (scrypt, 1 GiB)... ');
  }
  const sk = generateKeyPair();
  const secret = await encryptSecretKey(sk, password);
  if (password) process.stderr.write('done\n');

  await mkdir(path.dirname(path.resolve(secFile)), { recursive: true, mode: 0o700 });
  await writeFile(secFile, formatSecretKeyFile(secret), { mode: 0o600, flag: force ? 'w' : 'wx' });
  await writeFile(pubFile, formatPublicKeyFile(publicKeyOf(sk)), { flag: force ? 'w' : 'wx' });
  process.stderr.write(`The secret key was saved as ${secFile} - keep it secret.\nThe public key was saved as ${pubFile} (key id ${keyId(sk.keynum)}).\n`);
  console.log(`minisign -Vm <file> -P ${publicKeyString(publicKeyOf(sk))}`);
  return 0;
}
