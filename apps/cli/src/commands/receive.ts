// sealdrop receive: download, decrypt and check a share; files appear only once
// they authenticated (temporary name in the target folder, then rename).

import { formatBytes } from '@sealdrop/shared';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ciphertextSize, type Manifest } from '@sealdrop/crypto';
import { HELP, parse } from '../args.ts';
import { EXIT, integrity, usage } from '../exit.ts';
import { linkArgument, parseLink } from '../link.ts';
import { loadPublicKey } from '../minisign/files.ts';
import { keyId, parseSignature, type PublicKey, type Signature } from '../minisign/format.ts';
import { readWholeFile, verifySignature } from '../minisign/sign.ts';
import { promptHidden, readPasswordFile } from '../password.ts';
import { Progress } from '../progress.ts';
import { downloadFile, openShare, readManifest, takeDownload } from '../transfer/download.ts';
import { makeClient } from '../client.ts';

export const help = `Usage: sealdrop receive <link | -> [-o DIR] [--password-file FILE] [--token TOKEN] [--force] [--pubkey KEY]

Downloads, decrypts and checks a share. Give "-" (or pipe the link in) to read the
link from stdin, which keeps it out of your shell history.

Options:
  -o, --output DIR      where to save the files (default: the current folder)
  --password-file FILE  the share's password (else asked on the terminal)
  --token TOKEN         a partner download token, for shares that require one
                        (default: SEALDROP_TOKEN); sent as Authorization: Bearer
  --force               overwrite existing files
  --pubkey KEY          require every file to be signed by this minisign public key
                        (a .pub file or the RW... string); fails with exit 3 otherwise
  --json                print what was saved as JSON on stdout
  -q, --quiet           no progress output

Each file is written to a temporary name and renamed only after its content
authenticated and its SHA-256 matched the manifest; on any failure nothing is left
behind. Names that could escape DIR or trick the eye are refused. Files signed by
the sender get FILE.minisig beside them ("minisign -Vm FILE -p KEY" checks it).`;

/** Control characters out of text shown on a terminal (sender-controlled notes). */
const printable = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

interface Planned {
  index: number;
  name: string;
  size: number;
  target: string;
  sig: Signature | null;
  minisig: string | null;
}

/** Where file `name` goes: inside `root`, never through a symbolic link, never over a folder. */
async function planTarget(root: string, name: string, force: boolean): Promise<string> {
  const segments = name.split('/');
  const target = path.resolve(root, ...segments);
  const rel = path.relative(root, target);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) throw integrity(`Refusing ${JSON.stringify(name)}: it would be written outside ${root}.`);
  let dir = root;
  for (const seg of segments.slice(0, -1)) {
    dir = path.join(dir, seg);
    const st = await lstat(dir).catch(() => null);
    if (!st) break;
    if (st.isSymbolicLink()) throw integrity(`Refusing ${JSON.stringify(name)}: ${dir} is a symbolic link.`);
    if (!st.isDirectory()) throw usage(`Cannot save ${JSON.stringify(name)}: ${dir} exists and is not a folder.`);
  }
  const st = await lstat(target).catch(() => null);
  if (st) {
    if (st.isDirectory()) throw usage(`Cannot save ${JSON.stringify(name)}: a folder with that name exists at ${target}.`);
    if (!force) throw usage(`${target} already exists. Use --force to overwrite it, or -o DIR to save elsewhere.`);
    if (st.isSymbolicLink()) throw integrity(`Refusing to overwrite ${target}: it is a symbolic link.`);
  }
  return target;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...HELP,
      output: { type: 'string', short: 'o' },
      'password-file': { type: 'string' },
      token: { type: 'string' },
      force: { type: 'boolean' },
      pubkey: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    'receive',
  );
  if (values.help) return console.log(help), 0;
  if (positionals.length > 1) throw usage('Give one link.');
  const link = parseLink(await linkArgument(positionals[0]), { needSecret: true });
  const quiet = Boolean(values.quiet);
  const log = (msg: string) => {
    if (!quiet) process.stderr.write(`${msg}\n`);
  };
  const force = Boolean(values.force);
  const pub: PublicKey | null = values.pubkey ? await loadPublicKey(values.pubkey) : null;

  const outDir = path.resolve(values.output ?? '.');
  // A folder made here is removed again if the receive fails (nothing left behind).
  const firstCreated = await mkdir(outDir, { recursive: true });
  try {
    const root = await realpath(outDir);

    const client = makeClient(link.server);
    const share = await openShare(client, link, async () => {
      if (values['password-file']) return (await readPasswordFile(values['password-file'])).normalize('NFC');
      if (!process.stdin.isTTY) throw usage('This share is protected by a password: use --password-file FILE.');
      return (await promptHidden('Password: ')).normalize('NFC');
    }, values.token ?? (process.env.SEALDROP_TOKEN || undefined));

    // Everything is checked before a download is spent: names, targets, signatures.
    const first = await readManifest(share);
    const plan = async (m: Manifest): Promise<Planned[]> => {
      const sigs = new Map((m.signatures ?? []).map((s) => [s.file, s.minisig]));
      const out: Planned[] = [];
      for (const [index, f] of m.files.entries()) {
        const minisig = sigs.get(index) ?? null;
        let sig: Signature | null = null;
        if (minisig) {
          try {
            sig = parseSignature(minisig);
          } catch (e) {
            throw integrity(`The signature of ${f.name} is malformed (${(e as Error).message}).`);
          }
        }
        if (pub && !sig) throw integrity(`${f.name} is not signed, but --pubkey requires every file to be signed by key id ${keyId(pub.keynum)}. Nothing was downloaded.`);
        if (pub && sig && keyId(sig.keynum) !== keyId(pub.keynum)) {
          throw integrity(`${f.name} is signed by key id ${keyId(sig.keynum)}, not by the required key id ${keyId(pub.keynum)}. Nothing was downloaded.`);
        }
        const target = await planTarget(root, f.name, force);
        if (minisig) await planTarget(root, `${f.name}.minisig`, force);
        out.push({ index, name: f.name, size: f.size, target, sig, minisig });
      }
      return out;
    };
    let planned = await plan(first.manifest);
    const noteOnly = first.manifest.files.length === 0;
    if (first.manifest.note && !noteOnly) log(`Note from the sender: ${printable(first.manifest.note)}`);

    const dl = await takeDownload(share);
    let manifest = first.manifest;
    if (dl.manifest !== first.raw) {
      // One manifest per share; if the server answers otherwise, trust only what decrypts and re-check it.
      manifest = dl.manifestParsed;
      planned = await plan(manifest);
    }
    if (dl.files.length !== manifest.files.length || manifest.files.some((f, i) => dl.files[i]?.index !== i || dl.files[i].size !== ciphertextSize(f.size))) {
      throw integrity('The server lists files that do not match the encrypted manifest (count or sizes). Nothing was saved.');
    }
    if (noteOnly && manifest.files.length === 0) {
      // A note-only share: the message is the content; it goes to stdout like a file's path would.
      if (values.json) console.log(JSON.stringify({ id: share.id, files: [], note: manifest.note ?? '' }, null, 2));
      else console.log(printable(manifest.note ?? ''));
      return 0;
    }

    // Cleanup of temporary files and new folders, also on Ctrl-C.
    const temps = new Set<string>();
    const createdDirs: string[] = [];
    const cleanup = () => {
      for (const t of temps) rmSync(t, { force: true });
      for (const d of [...createdDirs].reverse()) {
        try {
          rmdirSync(d);
        } catch {
          // not empty: something else lives there
        }
      }
    };
    process.on('exit', cleanup);

    const totalBytes = manifest.files.reduce((s, f) => s + f.size, 0);
    const progress = new Progress({ label: 'Downloading', total: totalBytes, quiet });
    const results: { name: string; path: string; size: number; sha256: string; temp: string; signature: { keyId: string; verified: boolean; trustedComment: string } | null }[] = [];
    try {
      for (const p of planned) {
        const dir = path.dirname(p.target);
        // Create missing folders one by one, remembering them for cleanup.
        const missing: string[] = [];
        for (let d = dir; d !== root && !existsSync(d); d = path.dirname(d)) missing.unshift(d);
        for (const d of missing) {
          await mkdir(d);
          createdDirs.push(d);
        }
        const temp = path.join(dir, `.${path.basename(p.target)}.${randomBytes(6).toString('hex')}.sealdrop-part`);
        temps.add(temp);
        const fh = await open(temp, 'wx', 0o600);
        let got;
        try {
          got = await downloadFile(share, dl.grant, p.index, p.size, fh, { blake2b: Boolean(p.sig && p.sig.alg === 'ED'), progress, log: (m) => progress.log(m) });
        } finally {
          await fh.close();
        }
        const expected = manifest.files[p.index].sha256;
        if (got.sha256 !== expected) throw integrity(`${p.name}: SHA-256 ${got.sha256} does not match the manifest (${expected}). Nothing was saved.`);
        let signature = null;
        if (p.sig) {
          if (pub) {
            const v = await verifySignature(pub, p.sig, got.blake2b, () => readWholeFile(temp));
            if (!v.ok) throw integrity(`${p.name}: ${v.reason}. Nothing was saved.`);
            signature = { keyId: v.keyId, verified: true, trustedComment: v.trustedComment };
          } else signature = { keyId: keyId(p.sig.keynum), verified: false, trustedComment: p.sig.trustedComment };
        }
        results.push({ name: p.name, path: p.target, size: p.size, sha256: got.sha256, temp, signature });
      }
      progress.finish();

      // Everything authenticated: move the files into place.
      for (const [i, r] of results.entries()) {
        if (!force && existsSync(r.path)) throw usage(`${r.path} appeared while downloading. Use --force to overwrite it.`);
        // Like other download tools, the saved file follows the umask (0644 with the usual 022);
        // only the partial file was private.
        await chmod(r.temp, 0o666 & ~process.umask());
        await rename(r.temp, r.path);
        temps.delete(r.temp);
        const minisig = planned[i].minisig;
        if (minisig) await writeFile(`${r.path}.minisig`, minisig, { flag: force ? 'w' : 'wx' });
      }
    } catch (e) {
      progress.abort();
      cleanup();
      temps.clear();
      throw e;
    } finally {
      process.off('exit', cleanup);
    }

    for (const r of results) {
      const sig = r.signature ? (r.signature.verified ? `, signed by key id ${r.signature.keyId} (verified)` : `, signed by key id ${r.signature.keyId} (not verified: pass --pubkey to check it)`) : '';
      log(`${r.name}  ${formatBytes(r.size)}  sha256 ${r.sha256} ok${sig}`);
      if (r.signature) {
        log(`  trusted comment: ${printable(r.signature.trustedComment)}`);
        // The signature covers the content, not the name: say so when the signed name differs.
        const signedName = /(?:^|\t)file:([^\t]*)/.exec(r.signature.trustedComment)?.[1];
        if (signedName !== undefined && signedName !== path.basename(r.name)) {
          log(`  warning: the signature was made for a file named "${printable(signedName)}", not "${path.basename(r.name)}".`);
        }
      }
    }
    if (values.json) {
      console.log(JSON.stringify({ id: share.id, files: results.map(({ temp: _t, ...r }) => r) }, null, 2));
    } else {
      for (const r of results) console.log(r.path);
    }
    return EXIT.ok;
  } catch (e) {
    if (firstCreated) {
      for (let d = outDir; d.length >= firstCreated.length; d = path.dirname(d)) {
        try {
          rmdirSync(d);
        } catch {
          break; // not empty
        }
      }
    }
    throw e;
  }
}
