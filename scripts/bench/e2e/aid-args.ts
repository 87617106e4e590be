// The options the measuring aids of this folder share, parsed once: --size in MiB
// ("256" or "256MiB"), --port of their own server or stack, --rounds; each aid
// adds its own options.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Common = { size: { type: 'string'; default: string }; port: { type: 'string'; default: string }; rounds: { type: 'string'; default: string } };

export function aidArgs<const O extends Options>(defaults: { size: string; port: string }, own: O) {
  const common: Common = {
    size: { type: 'string', default: defaults.size },
    port: { type: 'string', default: defaults.port },
    rounds: { type: 'string', default: '1' },
  };
  const config = { options: { ...own, ...common } };
  const { values } = parseArgs(config);
  const { size, port, rounds } = values as { size: string; port: string; rounds: string };
  return {
    values,
    /** Bytes; NaN when --size is not a number of MiB. */
    size: Math.round(Number(size.replace(/MiB$/i, '')) * 2 ** 20),
    port: Number(port),
    rounds: Number(rounds),
  };
}
