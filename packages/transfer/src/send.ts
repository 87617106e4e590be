// The send flow (DESIGN.md "Data flow", "One salt, one plaintext"), the same in
// the browser and the CLI:
//   plan → create (or resume: re-derive keys, check authPub, list stored parts,
//   re-make and compare every recorded part, restart a changed file with a fresh
//   salt) → part lanes (the digest is in the journal before the part leaves) →
//   seal the manifest once, into the journal → finalize (idempotent) → delete
//   the journal.
// All state lives in one SendRun: several transfers can run side by side.

import {
  b64uDecode,
  b64uEncode,
  ciphertextSize,
  derivePasswordKey,
  deriveShareKeys,
  FileEncryptor,
  generateLinkSecret,
  KDF_V1,
  newPasswordSalt,
  PART_DIGEST,
  parseLinkSecret,
  sealManifest,
  shareContext,
  type Manifest,
  type PlaintextSource,
  type Recipient,
  type ShareKeys,
} from '@sealdrop/crypto';
import { ApiError } from '@sealdrop/shared/errors';
import { shareRulesProblems, type ConfigResponse, type SealdropClient, type ShareRules } from '@sealdrop/shared';
import { classify, isAbort, TransferError } from './errors.ts';
import type { EventSink, TransferEvent } from './events.ts';
import type { SendJournal } from './journal.ts';
import { planSend, type SendProblem } from './plan.ts';
import type { JournalStore, PartMaker, PartSender, PasswordKdf, PlaintextHasher } from './ports.ts';
import { createMayBeRetried, withRetry, type Connectivity, type RetryPolicy, type Wakeup } from './retry.ts';
import { checkRecipients, sealJournalTo } from './recipients.ts';

export interface SendFile {
  /** Relative, "/"-separated name as it goes into the manifest. */
  name: string;
  /** Plaintext bytes. */
  size: number;
  type: string;
  /** Modification time (ms); a resumed file whose date differs restarts. */
  lastModified: number | null;
}

export interface SendSettings {
  expiresIn: number;
  maxDownloads: number;
  note?: string;
  uploadToken?: string;
  /** v1.1: a file request's id; the share is counted against it instead of a token (see requests.ts). */
  request?: string;
  /** Partner access and place rules (labels, requireLabel, countries, networks); sent once, at create. */
  rules?: ShareRules;
}

export interface SendOptions<Body> {
  client: SealdropClient;
  /** The server's GET /api/config when the app already has it. */
  config?: ConfigResponse;
  files: SendFile[];
  password: string | null;
  /** For a new share. */
  settings?: SendSettings;
  /** Continue this interrupted upload instead of creating a share. */
  resume?: SendJournal;
  /** Already derived password key (an in-session retry), skips Argon2id. */
  passwordKey?: Uint8Array | null;
  /** v1.1: seal S to these public keys (1-20) at finalize; the link then needs no secret. */
  recipients?: Recipient[];
  /**
   * A link secret and its keys made ahead (prepareShareKeys, e.g. while the
   * sender picks files): the first create of a share without a password uses
   * them. Give each to one send only.
   */
  prepared?: Promise<PreparedShareKeys>;
  parts: PartMaker<Body>;
  /** Sends a part body; default: client.putPart. */
  sendPart?: PartSender<Body>;
  journal: JournalStore;
  hasher: PlaintextHasher;
  kdf?: PasswordKdf;
  /** Fields of the app kept in the journal. */
  app?: Record<string, unknown>;
  /** Parts in flight (default 3). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  connectivity?: Connectivity;
  /** Wakes every wait between attempts ("Retry now"). */
  wakeup?: Wakeup;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Called after every part is stored and before the manifest is sealed (e.g. "did a file change on disk?"). */
  beforeSeal?: () => Promise<void>;
}

export interface SendResult {
  id: string;
  ownerToken: string;
  secret: string;
  expiresAt: string;
  files: { name: string; size: number; sha256: string }[];
  journal: SendJournal;
  passwordKey: Uint8Array | null;
  /** Parts found on the server when resuming (not sent again). */
  resumedParts: number;
  sentParts: number;
  sentBytes: number;
}

/** Parts in flight at once (DESIGN: 2 to 4). */
export const DEFAULT_CONCURRENCY = 3;

/** A share's link secret and the keys derived from it without a password. */
export interface PreparedShareKeys {
  secret: string;
  keys: ShareKeys;
}

/**
 * Draws a link secret and derives its keys before the share is made: that work
 * (two Ed25519 public keys, 7-13 ms in Chromium) is then not between "Send" and
 * the create request (issue 11: a small send's serial steps).
 */
export async function prepareShareKeys(): Promise<PreparedShareKeys> {
  const secret = generateLinkSecret();
  return { secret, keys: await deriveShareKeys(parseLinkSecret(secret), null) };
}

/** The files do not fit the server's limits. */
export class PlanError extends TransferError {
  constructor(readonly problems: SendProblem[]) {
    super('input', 'limits', `The files do not fit this server's limits (${problems.map((p) => p.kind).join(', ')}).`);
  }
}

/** The rule fields a sender set; empty lists and blanks are left out (the server refuses an empty list). */
function definedRules(r: ShareRules | undefined): ShareRules {
  if (!r) return {};
  return {
    ...(r.labels?.length ? { labels: r.labels } : {}),
    ...(r.requireLabel ? { requireLabel: r.requireLabel } : {}),
    ...(r.countries?.length ? { countries: r.countries } : {}),
    ...(r.networks?.length ? { networks: r.networks } : {}),
    ...(r.publishSha256 ? { publishSha256: true as const } : {}),
  };
}

type RestartReason = Extract<TransferEvent, { type: 'file-restarted' }>['reason'];

/** A geometry-only source: the engine never reads plaintext, the part maker does. */
const sizeOnly = (size: number): PlaintextSource => ({
  size,
  read: () => Promise.reject(new Error('the engine reads no plaintext: the part maker does')),
});

interface FileState {
  enc: FileEncryptor;
  inputKey: Uint8Array;
  /** Parts the server holds that match the journal. */
  done: Set<number>;
}

export async function sendFiles<Body>(o: SendOptions<Body>): Promise<SendResult> {
  return new SendRun(o).run();
}

class SendRun<Body> {
  readonly #o: SendOptions<Body>;
  readonly #emit: EventSink;
  readonly #signal: AbortSignal;
  readonly #controller = new AbortController();
  #journal!: SendJournal;
  #keys!: ShareKeys;
  #passwordKey: Uint8Array | null = null;
  #files: FileState[] = [];
  #chain: Promise<void> = Promise.resolve();
  /** The journal's first write after create: every part's digest write waits for it, so no part leaves before the share is journalled. */
  #created: Promise<void> = Promise.resolve();
  #resumedParts = 0;
  #sentParts = 0;
  #sentBytes = 0;

  constructor(o: SendOptions<Body>) {
    this.#o = o;
    this.#emit = (e: TransferEvent) => {
      try {
        o.onEvent?.(e);
      } catch {
        // a listener's bug must not break the transfer
      }
    };
    this.#signal = o.signal ? AbortSignal.any([o.signal, this.#controller.signal]) : this.#controller.signal;
  }

  #retryCtx(step: Extract<TransferEvent, { type: 'retry' }>['step'], file?: number, part?: number) {
    return {
      policy: this.#o.retry,
      signal: this.#signal,
      connectivity: this.#o.connectivity,
      wakeup: this.#o.wakeup,
      onRetry: (i: { attempt: number; delayMs: number; error: unknown; kind: ReturnType<typeof classify>; offline: boolean }) =>
        this.#emit({ type: 'retry', step, file, part, ...i }),
    };
  }

  /** Journal writes in order, each of the whole (small) record. */
  #save(): Promise<void> {
    const next = this.#chain.then(() => this.#o.journal.save(this.#journal));
    this.#chain = next.catch(() => {});
    return next;
  }

  async run(): Promise<SendResult> {
    try {
      this.#emit({ type: 'phase', phase: 'preparing' });
      if (this.#o.resume) await this.#resume(this.#o.resume);
      else await this.#create();
      if (!this.#journal.manifest) {
        await this.#sendParts();
        await this.#seal();
      }
      return await this.#finalize();
    } catch (e) {
      this.#controller.abort();
      await this.#chain; // journal writes already started end first
      if (!isAbort(e)) this.#emit({ type: 'failure', kind: classify(e), error: e });
      throw e;
    }
  }

  async #kdf(password: string, salt: Uint8Array): Promise<Uint8Array> {
    return this.#o.kdf ? this.#o.kdf(password, salt) : derivePasswordKey(password, salt, { ...KDF_V1 });
  }

  // ---- create ------------------------------------------------------------

  async #create(): Promise<void> {
    const o = this.#o;
    const s = o.settings;
    if (!s) throw new TransferError('input', 'no_settings', 'A new share needs its settings.');
    const config: ConfigResponse = o.config ?? (await withRetry(() => o.client.config(), this.#retryCtx('config')));
    const problems = planSend(config, { files: o.files, expiresIn: s.expiresIn, maxDownloads: s.maxDownloads, uploadToken: s.uploadToken, note: s.note, request: s.request });
    if (problems.length) throw new PlanError(problems);
    const ruleProblems = shareRulesProblems(definedRules(s.rules));
    if (ruleProblems.length) throw new TransferError('input', 'rules', `Invalid share rules: ${ruleProblems.join('; ')}.`);
    if (o.recipients) checkRecipients(o.recipients);

    // A create whose answer may have been lost is never sent again under the same
    // keys (they might already be registered): each attempt after such a failure
    // draws a new S (and password salt). 429/503 say nothing was made: same keys.
    let created;
    let secret = '';
    let passwordSalt: Uint8Array | null = null;
    let attempts = 0;
    // Keys made ahead serve the first attempt only (a password changes them).
    let prepared = o.password ? null : (o.prepared ?? null);
    for (;;) {
      const ready = prepared ? await prepared.catch(() => null) : null;
      prepared = null;
      if (ready) {
        ({ secret, keys: this.#keys } = ready);
      } else {
        secret = generateLinkSecret();
        passwordSalt = o.password ? newPasswordSalt() : null;
        this.#passwordKey = o.password && passwordSalt ? await this.#kdf(o.password, passwordSalt) : null;
        this.#keys = await deriveShareKeys(parseLinkSecret(secret), this.#passwordKey);
      }
      const request = {
        expiresIn: s.expiresIn,
        maxDownloads: s.maxDownloads,
        linkPub: b64uEncode(this.#keys.linkPub),
        authPub: b64uEncode(this.#keys.authPub),
        password: passwordSalt ? { salt: b64uEncode(passwordSalt), kdf: { ...KDF_V1 } } : null,
        files: o.files.map((f) => ({ size: ciphertextSize(f.size) })),
        ...(s.request ? { request: s.request } : {}),
        ...definedRules(s.rules),
      };
      try {
        created = await withRetry(() => o.client.createShare(request, s.uploadToken), { ...this.#retryCtx('create'), policy: { ...o.retry, attempts: 4 } }, createMayBeRetried);
        break;
      } catch (e) {
        this.#signal.throwIfAborted();
        if (isAbort(e) || classify(e) !== 'transient' || createMayBeRetried(e) || ++attempts >= 3) throw e;
        this.#emit({ type: 'retry', step: 'create', attempt: attempts, delayMs: 0, kind: 'transient', offline: false, error: e });
      }
    }
    this.#emit({ type: 'created', id: created.id });
    const context = shareContext(created.id);
    for (const [i, f] of o.files.entries()) {
      const inputKey = await this.#keys.fileKey(i);
      const enc = await FileEncryptor.create(sizeOnly(f.size), inputKey, context, created.partBytes);
      this.#files.push({ enc, inputKey, done: new Set() });
    }
    this.#journal = {
      v: 1,
      id: created.id,
      ownerToken: created.ownerToken,
      secret,
      partBytes: created.partBytes,
      salts: this.#files.map((f) => b64uEncode(f.enc.salt)),
      sizes: o.files.map((f) => f.size),
      lastModified: o.files.map((f) => f.lastModified),
      partDigests: this.#files.map((f) => new Array<string | null>(f.enc.partCount).fill(null)),
      partDigest: PART_DIGEST,
      createdAt: new Date().toISOString(),
      names: o.files.map((f) => f.name),
      types: o.files.map((f) => f.type),
      expiresIn: s.expiresIn,
      maxDownloads: s.maxDownloads,
      passwordSalt: passwordSalt ? b64uEncode(passwordSalt) : null,
      authPub: b64uEncode(this.#keys.authPub),
      ...(s.note ? { note: s.note } : {}),
      // Kept so a resumed upload still sends the hashes the server now requires at finalize.
      ...(s.rules?.publishSha256 ? { publishSha256: true as const } : {}),
      hashes: o.files.map(() => null),
      manifest: null,
      ...(o.app ? { app: o.app } : {}),
    };
    // Not awaited here: the first parts are made meanwhile (issue 11: a small
    // send's serial steps). Their digest writes come after this one and wait for it.
    this.#created = this.#save();
    this.#created.catch(() => {});
  }

  // ---- resume ------------------------------------------------------------

  async #resume(j: SendJournal): Promise<void> {
    const o = this.#o;
    this.#journal = j;
    j.hashes ??= j.names.map(() => null);
    j.manifest ??= null;
    if (o.files.length !== j.names.length) throw new TransferError('input', 'other_files', 'The interrupted upload was for other files.');
    const resized = o.files.findIndex((f, i) => f.size !== j.sizes[i]);
    // The share declared each file's size at create: it cannot take another one.
    if (resized >= 0) throw new TransferError('input', 'changed_size', `${j.names[resized]} changed size since the interrupted upload.`);
    if ((j.passwordSalt === null) !== (o.password === null && !o.passwordKey)) {
      if (j.passwordSalt) throw new TransferError('input', 'password_required', 'This upload has a password: give it again to resume.');
      throw new TransferError('input', 'password_differs', 'The interrupted upload had no password.');
    }
    this.#passwordKey = o.passwordKey ?? (j.passwordSalt && o.password ? await this.#kdf(o.password, b64uDecode(j.passwordSalt, 16)) : null);
    this.#keys = await deriveShareKeys(parseLinkSecret(j.secret), this.#passwordKey);
    if (b64uEncode(this.#keys.authPub) !== j.authPub) throw new TransferError('forbidden', 'wrong_password', 'That is not the password this upload was started with.');
    if (j.manifest) return; // sealed before: only finalize is left, with the same bytes

    let uploads;
    try {
      uploads = await withRetry(() => o.client.uploads(j.id, j.ownerToken), this.#retryCtx('uploads'));
    } catch (e) {
      if (e instanceof ApiError && [401, 404, 409, 410].includes(e.status)) {
        throw new TransferError('gone', 'upload_gone', 'The server no longer holds this upload (it was cancelled, expired or swept).', { cause: e });
      }
      throw e;
    }
    const onServer = new Map(uploads.files.map((f) => [f.index, new Set(f.parts)]));
    this.#emit({ type: 'phase', phase: 'checking' });
    const context = shareContext(j.id);
    // Digests of another kind (a journal of an older version) can never match a part made now.
    const foreignDigests = j.partDigest !== PART_DIGEST;
    for (const [i, f] of o.files.entries()) {
      const inputKey = await this.#keys.fileKey(i);
      const stored = onServer.get(i) ?? new Set<number>();
      let state: FileState | null = null;
      let why: RestartReason | null = null;
      if (!j.salts[i]) why = 'changed';
      else if ((j.lastModified[i] ?? null) !== (f.lastModified ?? null)) why = 'date';
      else if (foreignDigests && j.partDigests[i].some((d) => d != null)) why = 'old-journal';
      else {
        const enc = await FileEncryptor.resume(sizeOnly(f.size), inputKey, context, j.partBytes, b64uDecode(j.salts[i], 24), j.partDigests[i]).catch(() => null);
        if (!enc) why = 'changed';
        else if ([...stored].some((n) => j.partDigests[i][n] == null)) why = 'unknown-parts'; // stored but never recorded: unprovable
        else {
          state = { enc, inputKey, done: new Set() };
          if (!(await this.#recheck(i, state, stored))) why = 'changed';
        }
      }
      if (why) {
        state = await this.#restart(i, inputKey, context, why);
      }
      this.#files.push(state!);
    }
    // Only now: until here the journal may still hold digests of the old kind.
    j.partDigest = PART_DIGEST;
    await this.#save();
    this.#resumedParts = this.#files.reduce((n, s) => n + s.done.size, 0);
    const totalParts = this.#files.reduce((n, s) => n + s.enc.partCount, 0);
    this.#emit({ type: 'resumed', id: j.id, partsOnServer: this.#resumedParts, totalParts });
  }

  /** Re-makes every recorded part and compares it with the journal; stored matches are done. False when the file changed. */
  async #recheck(i: number, state: FileState, stored: Set<number>): Promise<boolean> {
    const digests = this.#journal.partDigests[i];
    for (let n = 0; n < state.enc.partCount; n++) {
      if (digests[n] == null) continue;
      const made = await this.#make(i, state, n);
      made.release?.();
      if (made.sha256 !== digests[n]) return false;
      this.#emit({ type: 'checked', file: i, bytes: made.length });
      if (stored.has(n)) {
        state.done.add(n);
        this.#emit({ type: 'part-done', file: i, part: n, bytes: made.length, resumed: true });
      }
    }
    return true;
  }

  /** The file changed: a fresh salt (a new message), every part sent again. */
  async #restart(i: number, inputKey: Uint8Array, context: Uint8Array, reason: RestartReason): Promise<FileState> {
    const j = this.#journal;
    const f = this.#o.files[i];
    const enc = await FileEncryptor.create(sizeOnly(f.size), inputKey, context, j.partBytes);
    j.salts[i] = b64uEncode(enc.salt);
    j.lastModified[i] = f.lastModified;
    j.partDigests[i] = new Array<string | null>(enc.partCount).fill(null);
    j.hashes![i] = null;
    await this.#save();
    this.#emit({ type: 'file-restarted', file: i, reason });
    return { enc, inputKey, done: new Set() };
  }

  #make(i: number, state: FileState, n: number) {
    const { start, end } = state.enc.partRange(n);
    return this.#o.parts.make(
      { file: i, part: n, start, end, keys: state.enc.keys, inputKey: state.inputKey, context: shareContext(this.#journal.id), salt: state.enc.salt },
      this.#signal,
    );
  }

  // ---- parts -------------------------------------------------------------

  async #sendParts(): Promise<void> {
    const o = this.#o;
    const j = this.#journal;
    this.#emit({ type: 'phase', phase: 'uploading' });

    // Whole-file hashes for the manifest, one file after the other, while parts go.
    const hashes = this.#hashAll();
    hashes.catch(() => {});

    const queue: { i: number; n: number }[] = [];
    for (const [i, s] of this.#files.entries()) for (let n = 0; n < s.enc.partCount; n++) if (!s.done.has(n)) queue.push({ i, n });
    const left = this.#files.map((s) => s.enc.partCount - s.done.size);
    let next = 0;
    const send: PartSender<Body> =
      o.sendPart ?? ((u) => o.client.putPart(u.id, u.ownerToken, u.file, u.part, u.body as unknown as Uint8Array, u.signal).then(() => {}));
    const lane = async () => {
      while (next < queue.length) {
        this.#signal.throwIfAborted();
        const { i, n } = queue[next++];
        const state = this.#files[i];
        const made = await this.#make(i, state, n);
        try {
          const recorded = j.partDigests[i][n];
          if (recorded != null && recorded !== made.sha256) {
            throw new TransferError('input', 'file_changed', `${j.names[i]} changed while being sent.`);
          }
          // The digest is in the journal before a byte of this part leaves.
          j.partDigests[i][n] = made.sha256;
          await Promise.all([this.#created, this.#save()]);
          await withRetry(
            () => send({ id: j.id, ownerToken: j.ownerToken, file: i, part: n, body: made.body, signal: this.#signal, onProgress: (sent) => this.#emit({ type: 'part-progress', file: i, part: n, sent }) }),
            this.#retryCtx('part', i, n),
          );
        } finally {
          made.release?.();
        }
        state.done.add(n);
        this.#sentParts++;
        this.#sentBytes += made.length;
        this.#emit({ type: 'part-done', file: i, part: n, bytes: made.length });
        if (--left[i] === 0) await done(i);
      }
    };
    // Every file is told once that its makes are over, also one with nothing
    // left to send (all its parts were re-checked on resume).
    const closed = new Set<number>();
    const done = async (i: number) => {
      if (closed.has(i)) return;
      closed.add(i);
      await o.parts.done?.(i);
    };
    try {
      for (const [i, l] of left.entries()) if (l === 0) await done(i);
      await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? DEFAULT_CONCURRENCY, queue.length)) }, lane));
    } catch (e) {
      this.#controller.abort(); // stop the other lanes
      throw e;
    } finally {
      for (const i of left.keys()) await done(i).catch(() => {});
    }
    // The hashes reach the journal with the sealed manifest, written next (#seal).
    await Promise.all([hashes, this.#created]);
  }

  async #hashAll(): Promise<void> {
    const j = this.#journal;
    for (const [i, f] of this.#o.files.entries()) {
      const h = j.hashes![i];
      if (h && h.size === f.size && h.lastModified === f.lastModified) {
        this.#emit({ type: 'file-hashed', file: i, sha256: h.sha256 });
        continue;
      }
      const got = await this.#o.hasher.hash(i, (bytes) => this.#emit({ type: 'hash-progress', file: i, bytes }), this.#signal);
      j.hashes![i] = { sha256: got.sha256, minisig: got.minisig ?? null, size: f.size, lastModified: f.lastModified };
      this.#emit({ type: 'file-hashed', file: i, sha256: got.sha256 });
    }
  }

  // ---- manifest and finalize --------------------------------------------

  async #seal(): Promise<void> {
    await this.#o.beforeSeal?.();
    const j = this.#journal;
    const manifest: Manifest = {
      v: 1,
      createdAt: new Date().toISOString(),
      files: this.#o.files.map((f, i) => ({ name: j.names[i], size: f.size, type: f.type || j.types[i] || '', sha256: j.hashes![i]!.sha256 })),
    };
    if (j.note) manifest.note = j.note;
    const sigs = j.hashes!.flatMap((h, i) => (h?.minisig ? [{ file: i, minisig: h.minisig }] : []));
    if (sigs.length) manifest.signatures = sigs;
    // Sealed once and kept: a finalize whose answer was lost is sent again with
    // these very bytes (another manifest would be 409 for good).
    j.manifest = b64uEncode(await sealManifest(this.#keys, j.id, manifest));
    await sealJournalTo(j, this.#o.recipients);
    await this.#save();
  }

  async #finalize(): Promise<SendResult> {
    const j = this.#journal;
    this.#emit({ type: 'phase', phase: 'finalizing' });
    // The plaintext hashes leave only for a share the sender created with publishSha256.
    const sha256 = j.publishSha256 ? j.hashes!.map((h) => h!.sha256) : undefined;
    const fin = await withRetry(() => this.#o.client.finalize(j.id, j.ownerToken, j.manifest!, j.recipients ?? undefined, sha256), this.#retryCtx('finalize'));
    await this.#chain;
    await this.#o.journal.remove(j);
    this.#emit({ type: 'phase', phase: 'done' });
    return {
      id: j.id,
      ownerToken: j.ownerToken,
      secret: j.secret,
      expiresAt: fin.expiresAt,
      files: j.names.map((name, i) => ({ name, size: j.sizes[i], sha256: j.hashes?.[i]?.sha256 ?? '' })),
      journal: j,
      passwordKey: this.#passwordKey,
      resumedParts: this.#resumedParts,
      sentParts: this.#sentParts,
      sentBytes: this.#sentBytes,
    };
  }
}
