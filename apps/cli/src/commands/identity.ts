// sealdrop identity new|pub: X-Wing identities (v1.1 recipient keys). The file
// holds the secret identity; its public key (sealdrop-pq1:…) is what others seal to.

import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { displayFingerprint, formatIdentityFile, generateIdentity } from '@sealdrop/crypto';
import { HELP, parse } from '../args.ts';
import { usage } from '../exit.ts';
import { readIdentityFile } from '../identity-file.ts';

export const help = `Usage: sealdrop identity new -o FILE [--force]
       sealdrop identity pub FILE

Recipient keys (post-quantum hybrid X-Wing: ML-KEM-768 + X25519).
  new -o FILE    make a new identity and write it to FILE (mode 0600); prints its
                 public key (sealdrop-pq1:...) on stdout, its fingerprint on stderr
  --force        overwrite FILE if it exists
  pub FILE       print the public key of each identity in FILE

Give the public key to people who send you files (sealdrop send --to KEY); keep
the identity file secret: anyone holding it opens what is sealed to you.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, output: { type: 'string', short: 'o' }, force: { type: 'boolean', short: 'f' } }, 'identity');
  if (values.help) return console.log(help), 0;
  const [sub, ...rest] = positionals;
  if (sub === 'new') {
    if (rest.length) throw usage(`identity new takes no argument (got "${rest[0]}"); name the file with -o FILE.`);
    const file = values.output;
    if (!file) throw usage('identity new needs -o FILE: where to write the new identity.');
    if (!values.force && existsSync(file)) throw usage(`${file} already exists. Add --force to overwrite it (the identity in it would be lost).`);
    const identity = generateIdentity();
    await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    // 'wx' refuses a file that appeared meanwhile; with --force, an existing file keeps its inode, so set the mode too.
    await writeFile(file, formatIdentityFile(identity), { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    await chmod(file, 0o600);
    process.stderr.write(`The identity was saved as ${file} - keep it secret.\nFingerprint: ${displayFingerprint(identity.recipient.fingerprint)}\n`);
    console.log(identity.recipient.text);
    return 0;
  }
  if (sub === 'pub') {
    if (values.output || values.force) throw usage('identity pub takes only the identity file.');
    if (rest.length !== 1) throw usage('identity pub needs exactly one FILE: sealdrop identity pub FILE');
    for (const identity of await readIdentityFile(rest[0])) console.log(identity.recipient.text);
    return 0;
  }
  throw usage(sub ? `unknown identity command "${sub}": use "new" or "pub".` : 'identity needs a command: "new -o FILE" or "pub FILE".');
}
