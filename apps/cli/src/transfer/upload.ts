// The CLI's adapter of the send flow of @sealdrop/transfer: the engine runs the
// protocol (keys, salts, digests, create/resume, parts, manifest, finalize);
// this file gives it the file-handle part maker and hasher (fileParts.ts), the
// 0600 journal and a streaming part sender, and gives up a journal that cannot
// continue. Output is uploadReport.ts, wording uploadWords.ts.

import { stat } from 'node:fs/promises';
import type { Recipient } from '@sealdrop/crypto';
import type { SealdropClient, ShareRules } from '@sealdrop/shared';
import { abandonSend, cannotContinue, DEFAULT_CONCURRENCY, planSend, prepareShareKeys, sendFiles, shareLinks, withRetry, type SendJournal, type TransferError } from '@sealdrop/transfer';
import { policyCheck } from '../policy.ts';
import { CliError, EXIT, usage } from '../exit.ts';
import type { InputFile } from '../files.ts';
import { typeHint } from '../files.ts';
import { fileJournalStore, loadJournal, type CliJournal } from '../journal.ts';
import type { SecretKey } from '../minisign/keys.ts';
import { fileParts } from './fileParts.ts';
import { SizedBody } from './http.ts';
import { uploadReport } from './uploadReport.ts';
import { abandonWords, cliFailure, wordProblem } from './uploadWords.ts';

export interface UploadOptions {
  client: SealdropClient;
  server: string;
  files: InputFile[];
  expiresIn: number | null;
  maxDownloads: number;
  password: string | null;
  note?: string;
  signer?: SecretKey | null;
  uploadToken?: string;
  /** v1.1: seal the share to these keys; the link then carries no secret. */
  recipients?: Recipient[];
  /** v1.1: a file request's id the share is counted against (with its key in recipients). */
  request?: string;
  /** Partner access and place rules for the new share. */
  rules?: ShareRules;
  journalFile: string;
  /** Parts in flight at once (default 3). */
  concurrency?: number;
  quiet?: boolean;
  log: (msg: string) => void;
}

export interface UploadResult {
  url: string;
  id: string;
  expiresAt: string;
  ownerToken: string;
  files: { name: string; size: number; sha256: string }[];
  resumedParts: number;
  sentParts: number;
  sentBytes: number;
  seconds: number;
}

/** Parts in flight: each holds one slice in memory, so this does not depend on the part size. */
export { DEFAULT_CONCURRENCY };

const retryPolicy = () => ({ baseMs: Number(process.env.SEALDROP_RETRY_BASE_MS) || 1000 });

export async function uploadShare(o: UploadOptions): Promise<UploadResult> {
  const started = Date.now();
  const asked = withRetry(() => o.client.config(), { policy: retryPolicy() });
  // A new share's link secret and keys while the config request is out (issue 11:
  // a small send's serial steps). Only a create takes them (a resume does not),
  // and at most one run below creates.
  const prepared = o.password ? undefined : prepareShareKeys();
  prepared?.catch(() => {});
  const config = await asked;
  const expiresIn = o.expiresIn ?? config.defaultExpirySeconds;
  const problems = planSend(config, { files: o.files, expiresIn, maxDownloads: o.maxDownloads, uploadToken: o.uploadToken, request: o.request });
  if (problems.length) throw usage(wordProblem(problems[0], o, config));
  policyCheck(config, o, expiresIn);

  const names = o.files.map((f) => f.name);
  const paths = o.files.map((f) => f.path);
  const journal = fileJournalStore(o.journalFile);
  let resume: CliJournal | null = await loadJournal(o.journalFile);
  const abandon = async (j: SendJournal, why: string) => {
    o.log(`${why} Starting a new share.`);
    await abandonSend(o.client, j, journal);
  };
  if (resume && (resume.app.server !== o.server || JSON.stringify(resume.names) !== JSON.stringify(names) || JSON.stringify(resume.app.paths) !== JSON.stringify(paths))) {
    await abandon(resume, 'The interrupted upload was for other files.');
    resume = null;
  }
  const lanes = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);

  const run = async (from: CliJournal | null) => {
    const report = uploadReport(o.files, o);
    const made = fileParts(o.files, o.signer ?? null, lanes);
    if (from) o.log(`Resuming the interrupted upload of share ${from.id}.`);
    const result = await sendFiles<SizedBody>({
      client: o.client,
      config,
      files: o.files.map((f) => ({ name: f.name, size: f.size, type: typeHint(f.name), lastModified: f.mtimeMs })),
      password: o.password,
      settings: from ? undefined : { expiresIn, maxDownloads: o.maxDownloads, note: o.note, uploadToken: o.uploadToken, request: o.request, rules: o.rules },
      recipients: o.recipients,
      resume: from ?? undefined,
      prepared,
      app: { server: o.server, paths },
      parts: made.parts,
      // putPart hands its body to the transport untouched; cliFetch streams a SizedBody.
      sendPart: async (u) => {
        let sent = 0;
        const counted = new SizedBody(u.body.length, async function* () {
          for await (const chunk of u.body.chunks()) {
            yield chunk;
            u.onProgress((sent += chunk.length));
          }
        });
        await o.client.putPart(u.id, u.ownerToken, u.file, u.part, counted as unknown as Uint8Array, u.signal);
      },
      hasher: made.hasher,
      journal,
      concurrency: lanes,
      retry: retryPolicy(),
      onEvent: (e) => report.onEvent(e),
      beforeSeal: async () => {
        // Files must not have changed while they were read.
        const after = await Promise.all(o.files.map((f) => stat(f.path)));
        after.forEach((s, i) => {
          if (s.size !== o.files[i].size || Math.floor(s.mtimeMs) !== o.files[i].mtimeMs) {
            throw new CliError(EXIT.usage, `${o.files[i].name} changed while being sent. Run the same command again: it will restart that file.`);
          }
        });
      },
    }).catch((e) => {
      report.end(false);
      throw e;
    });
    report.end(true);
    return result;
  };

  let r;
  try {
    try {
      r = await run(resume);
    } catch (e) {
      const reason = resume ? cannotContinue(e) : null;
      if (!resume || !reason) throw e;
      await abandon(resume, abandonWords(reason, e as TransferError));
      r = await run(null);
    }
  } catch (e) {
    throw cliFailure(e);
  }
  return {
    url: shareLinks(o.server, r).url,
    id: r.id,
    expiresAt: r.expiresAt,
    ownerToken: r.ownerToken,
    files: r.files,
    resumedParts: r.resumedParts,
    sentParts: r.sentParts,
    sentBytes: r.sentBytes,
    seconds: (Date.now() - started) / 1000,
  };
}
