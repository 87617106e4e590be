// sealdrop verify-web: is the web app a server delivers the one its source gives?

import { HELP, parse, serverUrl } from '../args.ts';
import { CliError, EXIT, usage } from '../exit.ts';
import { userAgent } from '../version.ts';
import { verifyWeb } from '../web-assets.ts';

export const help = `Usage: sealdrop verify-web URL [--build DIR]

Fetches URL/asset-hashes.txt and every asset it lists, and checks each served file
against its listed SHA-256. With --build DIR (a local \`npm run build\` of the same
commit, e.g. apps/web/dist) also compares the list with that build, file by file,
and the served security headers with the build's _headers.
Prints each mismatch; exit 3 on any, 2 when the server cannot be reached.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...HELP, build: { type: 'string' } }, 'verify-web');
  if (values.help) return console.log(help), 0;
  if (positionals.length !== 1) throw usage('Give the URL of the web app, e.g. sealdrop verify-web https://drop.example.com');
  const base = serverUrl(positionals[0])!;
  const fetchAsset = async (url: string) => {
    try {
      // No redirects: every entry must be served at the path it is listed under.
      return await fetch(url, { redirect: 'manual', headers: { 'user-agent': userAgent() }, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      throw new CliError(EXIT.network, `cannot fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const r = await verifyWeb(base, { fetch: fetchAsset, buildDir: values.build });
  for (const m of r.mismatches) console.log(`MISMATCH ${m}`);
  if (r.mismatches.length) {
    process.stderr.write(`sealdrop: ${r.mismatches.length} mismatch${r.mismatches.length === 1 ? '' : 'es'} in ${base} (${r.checked} assets fetched).\n`);
    return EXIT.integrity;
  }
  console.log(`ok: ${r.checked} assets of ${base} match asset-hashes.txt${values.build ? ` and the build in ${values.build}` : ''}`);
  return EXIT.ok;
}
