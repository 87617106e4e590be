// Loading minisign keys and signatures from disk with clear errors.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { usage } from '../exit.ts';
import { parsePublicKeyFile, parsePublicKeyString, parseSecretKeyFile, type PublicKey } from './format.ts';
import { decryptSecretKey, type SecretKey } from './keys.ts';
import { promptHidden, readPasswordFile } from '../password.ts';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw usage(`Cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A public key from a file, or given inline as minisign -P takes it ("RW..."). */
export async function loadPublicKey(fileOrKey: string): Promise<PublicKey> {
  if (!existsSync(fileOrKey) && /^RW[A-Za-z0-9+/]{54}$/.test(fileOrKey.trim())) return parsePublicKeyString(fileOrKey);
  return parsePublicKeyFile(await readText(fileOrKey, 'public key file'));
}

/** A secret key; asks for its password (file, else the terminal) only when it is encrypted. */
export async function loadSecretKey(file: string, passwordFile?: string): Promise<SecretKey> {
  const parsed = parseSecretKeyFile(await readText(file, 'secret key file'));
  let password: Uint8Array | null = null;
  if (parsed.kdf === 'Sc') {
    // minisign hashes the password bytes as typed: no normalisation.
    const pw = passwordFile ? await readPasswordFile(passwordFile) : await promptHidden(`Password for the secret key ${file}: `);
    password = new TextEncoder().encode(pw);
  }
  return decryptSecretKey(parsed, password);
}

export async function loadSignatureText(file: string): Promise<string> {
  return readText(file, 'signature file');
}
