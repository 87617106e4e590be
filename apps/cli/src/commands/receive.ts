// sealdrop receive: download, decrypt and check a share; files appear only once
// they authenticated (temporary name in the target folder, then rename).

import { formatBytes } from '@sealdrop/shared';
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { b64uDecode, checkFileNames, openManifest, type Manifest } from '@sealdrop/crypto';
import { grantFileMismatches } from '@sealdrop/transfer';
import { HELP, parse, parseTimeout } from '../args.ts';
import { CliError, EXIT, integrity, toCliError, usage } from '../exit.ts';
import { writePrivateJson } from '../journal.ts';
import { linkArgument, parseLink } from '../link.ts';
import { loadPublicKey } from '../minisign/files.ts';
import { keyId, parseSignature, type PublicKey, type Signature } from '../minisign/format.ts';
import { readWholeFile, verifySignature } from '../minisign/sign.ts';
import { promptHidden, readPasswordFile } from '../password.ts';
import { Progress } from '../progress.ts';
import { downloadFile, GrantRefused, openShare, readManifest, takeDownload, unlockShare, type OpenShare } from '../transfer/download.ts';
import {
  discardReceive,
  grantLeftMs,
  isTempOf,
  loadReceiveJournal,
  receiveJournalPath,
  removeLeftovers,
  reopenVerified,
  ReceiveJournalWriter,
  resumeWindow,
  sweepExpiredReceives,
} from '../transfer/receiveJournal.ts';
import { makeClient } from '../client.ts';
import { setRequestTimeout } from '../transfer/http.ts';
import { loadIdentities, unsealWith } from '../recipients.ts';

export const help = `Usage: sealdrop receive <link | -> [-o DIR] [--password-file FILE] [--token TOKEN] [--force] [--pubkey KEY]

Downloads, decrypts and checks a share. Give "-" (or pipe the link in) to read the
link from stdin, which keeps it out of your shell history.

Options:
  -o, --output DIR      where to save the files (default: the current folder)
  --password-file FILE  the share's password (else asked on the terminal)
  --identity FILE       open a link without a key (#...) that was sealed to your key,
                        with the identity file of "sealdrop identity new" (or SEALDROP_IDENTITY)
  --token TOKEN         a partner download token, for shares that require one
                        (default: SEALDROP_TOKEN); sent as Authorization: Bearer
  --force               overwrite existing files
  --pubkey KEY          require every file to be signed by this minisign public key
                        (a .pub file or the RW... string); fails with exit 3 otherwise
  --json                print what was saved as JSON on stdout
  --timeout SECONDS     cut a request that makes no progress for this long and retry it;
                        after the retries, exit 2 (default: 30; 0: never; or SEALDROP_TIMEOUT)
  -q, --quiet           no progress output

Each file is written to a temporary name and renamed only after its content
authenticated and its SHA-256 matched the manifest. A receive cut off by the
network, the server or a kill keeps what it verified (hidden .NAME.*.sealdrop-part
files and a 0600 journal holding the grant): the same command resumes it without
using another download until the grant expires (it says until when). A failed
check leaves nothing behind. Names that could escape DIR or trick the eye are refused. Files signed by
the sender get FILE.minisig beside them ("minisign -Vm FILE -p KEY" checks it).`;

/** A grant this close to its end is not worth resuming with. */
const GRANT_MARGIN_MS = 5_000;

/** Failures after which the verified bytes are worth keeping: not a failed check, not a share that is gone. */
function resumable(e: unknown): boolean {
  if (e instanceof GrantRefused) return false;
  const err = toCliError(e);
  return err.code === EXIT.network || err.code === EXIT.usage;
}

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
      identity: { type: 'string' },
      token: { type: 'string' },
      force: { type: 'boolean' },
      pubkey: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    'receive',
  );
  if (values.help) return console.log(help), 0;
  setRequestTimeout(parseTimeout(values.timeout));
  if (positionals.length > 1) throw usage('Give one link.');
  const identities = await loadIdentities(values.identity);
  const link = parseLink(await linkArgument(positionals[0]), { needSecret: !identities });
  const quiet = Boolean(values.quiet);
  const log = (msg: string) => {
    if (!quiet) process.stderr.write(`${msg}\n`);
  };
  const force = Boolean(values.force);
  const pub: PublicKey | null = values.pubkey ? await loadPublicKey(values.pubkey) : null;

  const outDir = path.resolve(values.output ?? '.');
  // A folder made here is removed again if the receive fails (nothing left behind).
  const firstCreated = await mkdir(outDir, { recursive: true });
  let keepOutDir = false;
  try {
    const root = await realpath(outDir);

    const client = makeClient(link.server);
    // A sealed link: S from its stanzas, before anything is consumed.
    if (!link.secret && identities) link.secret = await unsealWith(client, link.id, identities);
    const getPassword = async () => {
      if (values['password-file']) return (await readPasswordFile(values['password-file'])).normalize('NFC');
      if (!process.stdin.isTTY) throw usage('This share is protected by a password: use --password-file FILE.');
      return (await promptHidden('Password: ')).normalize('NFC');
    };
    const partnerToken = values.token ?? (process.env.SEALDROP_TOKEN || undefined);

    // Everything is checked before a download is spent: names, targets, signatures.
    const plan = async (m: Manifest): Promise<Planned[]> => {
      const sigs = new Map((m.signatures ?? []).map((s) => [s.file, s.minisig]));
      // FILE.minisig must not be (or be the folder of) another file of the share.
      const sidecars = m.files.filter((_, i) => sigs.has(i)).map((f) => `${f.name}.minisig`);
      const clash = sidecars.length ? checkFileNames([...m.files.map((f) => f.name), ...sidecars]) : null;
      if (clash) throw integrity(`Refusing this share: a signature file would collide with a file of the share (${clash}). Nothing was downloaded.`);
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

    // A receive that was cut off resumes from its journal with the grant it took, while that lasts.
    const journalFile = receiveJournalPath(link.server, link.id, root);
    sweepExpiredReceives(journalFile);
    let journal = loadReceiveJournal(journalFile);
    if (journal && (journal.id !== link.id || journal.root !== root || grantLeftMs(journal) < GRANT_MARGIN_MS)) {
      log(`The interrupted download of this share could resume only until ${journal.grantExpiresAt}; starting over.`);
      discardReceive(journalFile, journal);
      journal = null;
    }

    let share: OpenShare;
    let manifest: Manifest;
    let planned: Planned[];
    if (journal) {
      const kept = journal;
      share = await unlockShare(client, link, { id: link.id, status: 'ready', expiresAt: kept.grantExpiresAt, password: kept.password, challenge: '', recipients: null }, getPassword, partnerToken);
      manifest = await openManifest(share.keys, share.id, b64uDecode(kept.manifest)).catch(() => {
        throw integrity('Wrong password for this share (or a different link): the interrupted download kept for this folder does not open with it.');
      });
      planned = await plan(manifest);
      if (manifest.note && manifest.files.length > 0) log(`Note from the sender: ${printable(manifest.note)}`);
      log(`Resuming the interrupted download: no new download is used (the grant lasts ${resumeWindow(kept.grantExpiresAt)}).`);
    } else {
      share = await openShare(client, link, getPassword, partnerToken);
      const first = await readManifest(share);
      manifest = first.manifest;
      planned = await plan(manifest);
      if (manifest.note && manifest.files.length > 0) log(`Note from the sender: ${printable(manifest.note)}`);
      // One manifest per share: a server that shows one and serves another is not trusted.
      const dl = await takeDownload(share, first.raw);
      journal = {
        v: 1,
        server: link.server,
        id: share.id,
        root,
        grant: dl.grant,
        grantExpiresAt: dl.grantExpiresAt,
        manifest: dl.manifest,
        files: dl.files,
        password: share.info.password,
        entries: [],
      };
      // Kept before the first byte: a kill from here on loses no download.
      await writePrivateJson(journalFile, journal);
    }
    if (grantFileMismatches(journal.files, manifest).length > 0) {
      discardReceive(journalFile, journal);
      throw integrity('The server lists files that do not match the encrypted manifest (count or sizes). Nothing was saved.');
    }
    if (manifest.files.length === 0) {
      // A note-only share: the message is the content; it goes to stdout like a file's path would.
      rmSync(journalFile, { force: true });
      if (values.json) console.log(JSON.stringify({ id: share.id, files: [], note: manifest.note ?? '' }, null, 2));
      else console.log(printable(manifest.note ?? ''));
      return 0;
    }
    const writer = new ReceiveJournalWriter(journalFile, journal);

    // New folders are removed again when the receive fails for good (nothing left behind).
    const createdDirs: string[] = [];
    const discard = () => {
      discardReceive(journalFile, writer.journal);
      for (const d of [...createdDirs].reverse()) {
        try {
          rmdirSync(d);
        } catch {
          // not empty: something else lives there
        }
      }
    };

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
        const blake2b = Boolean(p.sig && p.sig.alg === 'ED');
        let entry = writer.entry(p.index);
        const resumed = entry && isTempOf(p.target, entry.temp) ? await reopenVerified(entry, blake2b) : null;
        if (entry && !resumed) {
          rmSync(entry.temp, { force: true });
          writer.journal.entries = writer.journal.entries.filter((e) => e !== entry);
          entry = undefined;
        }
        // Hidden files of earlier runs that nothing resumes are removed, not left to pile up.
        await removeLeftovers(p.target, new Set(resumed && entry ? [entry.temp] : []));
        let fh;
        if (resumed && entry) {
          fh = resumed.fh;
          if (resumed.bytes > 0) progress.log(`${p.name}: resuming after ${formatBytes(resumed.bytes)} already verified.`);
        } else {
          entry = { index: p.index, temp: path.join(dir, `.${path.basename(p.target)}.${randomBytes(6).toString('hex')}.sealdrop-part`), bytes: 0, header: null, prefixSha256: '', done: false };
          writer.journal.entries.push(entry);
          await writer.save();
          fh = await open(entry.temp, 'wx', 0o600);
        }
        const e = entry;
        let got;
        try {
          if (resumed && e.done) {
            progress.add(resumed.bytes);
            got = { sha256: resumed.sha.digestHex(), blake2b: resumed.blake?.digest() ?? null };
          } else {
            got = await downloadFile(share, journal.grant, p.index, { name: p.name, size: p.size, sha256: manifest.files[p.index].sha256 }, fh, {
              blake2b,
              progress,
              log: (m) => progress.log(m),
              resume: resumed ?? undefined,
              checkpoint: (c) => writer.checkpoint(e, fh, c),
            });
          }
        } finally {
          await writer.settle();
          await fh.close();
        }
        const expected = manifest.files[p.index].sha256;
        if (got.sha256 !== expected) throw integrity(`${p.name}: SHA-256 ${got.sha256} does not match the manifest (${expected}). Nothing was saved.`);
        Object.assign(e, { bytes: p.size, prefixSha256: got.sha256, done: true });
        await writer.save();
        let signature = null;
        if (p.sig) {
          if (pub) {
            const v = await verifySignature(pub, p.sig, got.blake2b, () => readWholeFile(e.temp));
            if (!v.ok) throw integrity(`${p.name}: ${v.reason}. Nothing was saved.`);
            signature = { keyId: v.keyId, verified: true, trustedComment: v.trustedComment };
          } else signature = { keyId: keyId(p.sig.keynum), verified: false, trustedComment: p.sig.trustedComment };
        }
        results.push({ name: p.name, path: p.target, size: p.size, sha256: got.sha256, temp: e.temp, signature });
      }
      progress.finish();

      // Everything authenticated: move the files into place.
      for (const [i, r] of results.entries()) {
        if (!force && existsSync(r.path)) throw usage(`${r.path} appeared while downloading. Use --force to overwrite it.`);
        // Like other download tools, the saved file follows the umask (0644 with the usual 022);
        // only the partial file was private.
        await chmod(r.temp, 0o666 & ~process.umask());
        await rename(r.temp, r.path);
        const minisig = planned[i].minisig;
        if (minisig) await writeFile(`${r.path}.minisig`, minisig, { flag: force ? 'w' : 'wx' });
      }
      rmSync(journalFile, { force: true });
    } catch (e) {
      progress.abort();
      if (!resumable(e) || grantLeftMs(writer.journal) <= 0) {
        discard();
        throw e;
      }
      keepOutDir = true;
      const err = toCliError(e);
      throw new CliError(err.code, `${err.message}\nWhat was verified is kept: run the same command again ${resumeWindow(writer.journal.grantExpiresAt)} to resume without using another download.`);
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
    if (firstCreated && !keepOutDir) {
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
