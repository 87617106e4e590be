// Placeholder until the command lands (issue #5).
import { usage } from '../exit.ts';

export const help = 'sealdrop receive: not implemented yet.';

export async function run(): Promise<number> {
  throw usage(help);
}
