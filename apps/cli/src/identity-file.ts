// Reading identity files for the CLI (--identity FILE, SEALDROP_IDENTITY): the
// format is packages/crypto's; a malformed file is a usage error naming the file
// and the line.
import { readFile } from 'node:fs/promises';
import { KeyFormatError, parseIdentityFile, type Identity } from '@sealdrop/crypto';
import { usage } from './exit.ts';

export async function readIdentityFile(file: string): Promise<Identity[]> {
  const text = await readFile(file, 'utf8');
  try {
    return parseIdentityFile(text);
  } catch (e) {
    if (e instanceof KeyFormatError) throw usage(`${file} is not a Sealdrop identity file. ${e.message}`);
    throw e;
  }
}
