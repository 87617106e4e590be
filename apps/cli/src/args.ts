// Argument parsing (node:util parseArgs) and the small value parsers every command shares.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usage } from './exit.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Every command takes -h/--help. */
export const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Value<T> = T extends { type: 'boolean'; multiple: true } ? boolean[] : T extends { type: 'boolean' } ? boolean : T extends { multiple: true } ? string[] : string;
export interface Parsed<O> {
  values: { [K in keyof O]?: Value<O[K]> };
  positionals: string[];
}

/** A share id (22 characters) or token id (12): base64url, so one in 64 starts with '-'. */
const ID_WITH_DASH = /^-[A-Za-z0-9_-]{11}$|^-[A-Za-z0-9_-]{21}$/;
/** An owner, partner or API token (base64url, 16+ characters), which may start with '-' too. */
const TOKEN_WITH_DASH = /^-[A-Za-z0-9_-]{15,}$/;

/**
 * Ids that start with '-' are arguments, not options: one after a string option
 * becomes `--option=<id>`, any other goes after `--` (as a positional). Without
 * this, `sealdrop admin show -pQ…` failed with "Unknown option '-p'".
 */
export function protectIds(argv: string[], options: Options): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end + 1);
  const out: string[] = [];
  const moved: string[] = [];
  for (const a of head) {
    const prev = out[out.length - 1] ?? '';
    const long = /^--([^=]+)$/.exec(prev)?.[1];
    const short = /^-([A-Za-z])$/.exec(prev)?.[1];
    // "--max-shares" has an id's shape too: a known option stays an option.
    const known = a.startsWith('--') && a.slice(2) in options;
    // `--owner-token -Xyz…`: the value of a string option, however it starts.
    if (!known && TOKEN_WITH_DASH.test(a) && long && options[long]?.type === 'string') {
      out[out.length - 1] = `${prev}=${a}`;
      continue;
    }
    if (!ID_WITH_DASH.test(a) || known) {
      out.push(a);
      continue;
    }
    if (long && options[long]?.type === 'string') out[out.length - 1] = `${prev}=${a}`;
    else if (short && Object.values(options).some((o) => o.short === short && o.type === 'string')) out[out.length - 1] = `${prev}${a}`;
    else moved.push(a);
  }
  return moved.length || end >= 0 ? [...out, '--', ...moved, ...tail] : out;
}

/** parseArgs in strict mode with positionals; its errors become usage errors (exit 1). */
export function parse<const O extends Options>(argv: string[], options: O, command: string): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({ args: protectIds(argv, options), options, allowPositionals: true, strict: true });
    return { values: values as Parsed<O>['values'], positionals };
  } catch (e) {
    throw usage(`${(e as Error).message}\nRun "sealdrop ${command} --help" for usage.`);
  }
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90s", "30m", "12h", "1d", "2w" or a bare number of seconds → seconds. */
export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+)\s*([smhdw]?)$/i.exec(s.trim());
  if (!m) throw usage(`${flag}: "${s}" is not a duration (use e.g. 30m, 12h, 1d, 7d).`);
  const seconds = Number(m[1]) * UNITS[(m[2] || 's').toLowerCase()];
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw usage(`${flag}: the duration must be positive.`);
  return seconds;
}

export function parsePositiveInt(s: string, flag: string): number {
  if (!/^\d+$/.test(s.trim()) || Number(s) <= 0 || !Number.isSafeInteger(Number(s))) throw usage(`${flag}: "${s}" is not a positive whole number.`);
  return Number(s);
}

/**
 * --timeout SECONDS, else SEALDROP_TIMEOUT: how long a request may make no progress
 * before it is cut and retried (0: never). undefined when neither is given.
 */
export function parseTimeout(flag: string | undefined): number | undefined {
  const raw = flag ?? process.env.SEALDROP_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const name = flag !== undefined ? '--timeout' : 'SEALDROP_TIMEOUT';
  if (!/^\d{1,5}(\.\d+)?$/.test(raw.trim())) throw usage(`${name}: "${raw}" is not a number of seconds (e.g. 30; 0 turns the timeout off).`);
  return Number(raw);
}

/** The server's base URL from --server or SEALDROP_SERVER; no trailing slash. */
export function serverUrl(flag: string | undefined, required = true): string | undefined {
  const raw = flag ?? process.env.SEALDROP_SERVER;
  if (!raw) {
    if (required) throw usage('No server given: use --server URL or set SEALDROP_SERVER.');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage(`--server: "${raw}" is not a URL (e.g. https://drop.example.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw usage('--server must be an http(s) URL.');
  if (url.hash || url.search) throw usage('--server must not contain a query or fragment.');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function humanDuration(seconds: number): string {
  if (seconds % 604800 === 0) return `${seconds / 604800} week${seconds === 604800 ? '' : 's'}`;
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
