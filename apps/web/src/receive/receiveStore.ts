// The recipient's flow (DESIGN.md "Access protocol"), as a small store the page
// renders. Nothing here is spent by opening the page: GET /api/shares/:id and
// POST /manifest consume nothing; one download is taken only when the user
// clicks Download (POST /download → grant), and that grant then serves every
// file of the share until it expires, so fetching the files one by one costs
// one download, not one per file.
//
// The link secret S lives in memory only (see fragment.ts); keys derived from it
// never leave this tab except to the /dl/ service worker or a download worker.

import { CobblestoneError, installWebCryptoEd25519, ManifestError, warmEd25519, type Manifest } from '@sealdrop/crypto';
import { formatBytes, ApiError, type DownloadResponse, type ShareInfoResponse } from '@sealdrop/shared';
import { grantFileMismatches, passwordParams, readManifest, takeDownload, TransferError, unlockShare, type ReceiveShare } from '@sealdrop/transfer';
import { createStore } from 'zustand/vanilla';
import { api } from '../app/api.ts';
import { DownloadRunError, planDownload, needsSizeWarning, runDownload, type DownloadMethod } from '../transfer/download.ts';
import { prepareServiceWorker } from '../transfer/swRegister.ts';
import { saveName, toFailure, zipLength } from '../transfer/downloadPipeline.ts';
import type { DownloadEvent, DownloadFailure, DownloadJob } from '../transfer/downloadTypes.ts';
import { percent } from './format.ts';
import { DOWNLOAD_CLICK_MARK, FIRST_PLAINTEXT_MARK } from './marks.ts';
import { minisigExtras } from './minisig.ts';
import { passwordKey } from './passwordKey.ts';
import { TOKEN_REFUSED, WRONG_PASSWORD, type Unavailable } from './messages.ts';
import { forgetPartnerToken, storedPartnerToken, storePartnerToken } from './partnerToken.ts';

export type Phase =
  | { kind: 'loading' }
  | { kind: 'unavailable'; reason: Unavailable; detail?: string; retryAt?: number; advisory?: string }
  | { kind: 'unsupported-kdf' }
  | { kind: 'password'; busy: boolean; error?: string; retryAt?: number }
  /** The share opens only with a partner download token (asked once per tab). */
  | { kind: 'token'; busy: boolean; error?: string }
  | { kind: 'damaged-link' }
  | { kind: 'bad-manifest'; detail: string }
  | { kind: 'ready' };

export type TransferStatus = 'idle' | 'waiting' | 'running' | 'verified' | 'failed';

export interface FileState {
  status: TransferStatus;
  bytes: number;
  /** The digest computed while decrypting (equal to the manifest's when verified). */
  sha256?: string;
  error?: DownloadFailure;
  retrying?: boolean;
}

export interface ZipState {
  status: TransferStatus;
  bytes: number;
  error?: DownloadFailure;
}

export type Target = number | 'all';

export interface ReceiveState {
  /** The share this page is about. */
  shareId: string;
  phase: Phase;
  manifest: Manifest | null;
  downloadsLeft: number | null;
  expiresAt: string | null;
  grantExpiresAt: string | null;
  files: FileState[];
  zip: ZipState;
  /** A Blob-only browser and a large download: asks before going on. */
  sizeWarning: { target: Target; bytes: number } | null;
  /** Last method used, with the measured speed (shown quietly; useful for support). */
  lastRun: { method: DownloadMethod; bytes: number; ms: number } | null;
  /** Polite screen-reader announcement of progress. */
  announcement: string;
  /** A note-only share: the message is shown once a download is taken for it. */
  noteReveal: { status: 'hidden' | 'busy' | 'shown'; error?: DownloadFailure };

  load(): Promise<void>;
  /** load(), once: what opening the page starts (early.ts may have started it before the page rendered). */
  open(): Promise<void>;
  submitPassword(password: string): Promise<void>;
  submitToken(token: string): Promise<void>;
  download(target: Target, opts?: { confirmedLarge?: boolean }): Promise<void>;
  cancel(target: Target): void;
  dismissWarning(): void;
  /** Takes one download (as a file would) and shows the note of a note-only share. */
  revealNote(): Promise<void>;
}

export const ZIP_NAME = 'sealdrop-files.zip';

function unavailableReason(e: unknown): Unavailable {
  if (e instanceof ApiError) {
    if (e.code === 'not_found' || e.code === 'expired' || e.code === 'revoked' || e.code === 'exhausted' || e.code === 'network' || e.code === 'rate_limited') return e.code;
  }
  return 'other';
}

/** The page shows every failure at once (a countdown for 429, Try again for the network): no retries inside. */
const AT_ONCE = { retry: { attempts: 1 } };

export function createReceiveStore(id: string, secret: Uint8Array) {
  let share: ReceiveShare | null = null;
  let hasPassword = false;
  let manifestB64: string | null = null;
  let grant: DownloadResponse | null = null;
  let grantPending: Promise<DownloadResponse> | null = null;
  /** The challenge of the GET that opened the share: /manifest spends none, so the first /download can (one round trip less). */
  let openChallenge: { challenge: string; at: number } | null = null;
  let requiresToken = false;
  let partnerToken: string | null = null;
  let opening: Promise<void> | null = null;
  const running = new Map<string, AbortController>();
  const lastAnnounced = new Map<string, number>();

  const store = createStore<ReceiveState>()((set, get) => {
    const setFile = (i: number, patch: Partial<FileState>) =>
      set((s) => ({ files: s.files.map((f, j) => (j === i ? { ...f, ...patch } : f)) }));
    const announce = (text: string) => set({ announcement: text });

    /** The engine's access protocol: keys from S (and the password), then POST /manifest, decrypted and checked. */
    async function openShare(info: ShareInfoResponse, password?: string): Promise<void> {
      const link = { id, secret };
      const fetchedAt = performance.now();
      const s = await unlockShare(api, link, info, async () => password ?? '', { kdf: (p, salt) => passwordKey(p, salt, info.password?.kdf), partnerToken: partnerToken ?? undefined });
      let res: Awaited<ReturnType<typeof readManifest>>;
      try {
        res = await readManifest(s, AT_ONCE);
      } catch (e) {
        if (e instanceof ManifestError || e instanceof CobblestoneError) {
          set({ phase: { kind: 'bad-manifest', detail: e.message } });
          return;
        }
        throw e;
      }
      const manifest = res.manifest;
      share = s;
      manifestB64 = res.raw;
      openChallenge = { challenge: info.challenge, at: fetchedAt };
      set({
        phase: { kind: 'ready' },
        manifest,
        downloadsLeft: res.downloadsLeft,
        expiresAt: res.expiresAt,
        files: manifest.files.map(() => ({ status: 'idle', bytes: 0 })),
        zip: { status: 'idle', bytes: 0 },
      });
      announce(`${manifest.files.length} ${manifest.files.length === 1 ? 'file' : 'files'} ready to download.`);
    }

    /** A failure of the first GET or of /manifest, as the page should show it. */
    function showFailure(e: unknown, passwordPhase: boolean) {
      if (e instanceof ApiError && (e.code === 'partner_token_required' || e.code === 'partner_token_refused')) {
        forgetPartnerToken();
        partnerToken = null;
        return set({ phase: { kind: 'token', busy: false, error: e.code === 'partner_token_refused' ? TOKEN_REFUSED : undefined } });
      }
      if (e instanceof ApiError) {
        if (e.code === 'unauthorized') return set({ phase: { kind: 'damaged-link' } });
        if (e.code === 'forbidden') {
          if (passwordPhase) return set({ phase: { kind: 'password', busy: false, error: WRONG_PASSWORD } });
          return set({ phase: { kind: 'damaged-link' } });
        }
        if (e.code === 'rate_limited' && passwordPhase) {
          const wait = e.retryAfter ?? 60;
          return set({ phase: { kind: 'password', busy: false, error: 'Too many wrong passwords for this link.', retryAt: Date.now() + wait * 1000 } });
        }
        const reason = unavailableReason(e);
        return set({
          phase: {
            kind: 'unavailable',
            reason,
            detail: reason === 'other' ? e.message : undefined,
            retryAt: e.retryAfter ? Date.now() + e.retryAfter * 1000 : undefined,
            advisory: reason === 'revoked' ? e.advisory : undefined,
          },
        });
      }
      set({ phase: { kind: 'unavailable', reason: 'other', detail: String((e as Error)?.message ?? e) } });
    }

    /** One download from the count, at most once at a time; reused for every file until it expires. */
    async function ensureGrant(): Promise<DownloadResponse> {
      if (grant && Date.parse(grant.grantExpiresAt) - Date.now() > 60_000) return grant;
      grantPending ??= (async () => {
        try {
          // Well inside the challenge's lifetime (CHALLENGE_TTL_SECONDS, 5 min), and used once.
          const held = openChallenge && performance.now() - openChallenge.at < 4 * 60_000 ? openChallenge.challenge : undefined;
          openChallenge = null;
          const res = await takeDownload(share!, { ...AT_ONCE, shown: manifestB64!, challenge: held }).catch((e: unknown) => {
            if (e instanceof TransferError && e.reason === 'manifest_changed') {
              throw new DownloadRunError({ kind: 'integrity', message: 'The server sent a different file list than the one shown here. Nothing was downloaded.' });
            }
            throw e;
          });
          grant = res;
          set((s) => ({ grantExpiresAt: res.grantExpiresAt, downloadsLeft: s.downloadsLeft === null ? null : Math.max(0, s.downloadsLeft - 1) }));
          return res;
        } finally {
          grantPending = null;
        }
      })();
      return grantPending;
    }

    /** The server's sizes must be the manifest's: null when they agree, else the failure. */
    function sizeCheck(g: DownloadResponse, m: Manifest, index: number): DownloadFailure | null {
      if (grantFileMismatches(g.files, m).includes(index)) {
        return {
          kind: 'integrity',
          file: index,
          message: `The server holds a file of the wrong size for "${m.files[index].name}" (the sender's file list says otherwise). It was not downloaded.`,
        };
      }
      return null;
    }

    function onEvent(target: Target, indices: number[], total: number, name: string) {
      const key = String(target);
      let firstBytes = true;
      return (ev: DownloadEvent) => {
        const m = get().manifest!;
        if (ev.type === 'progress' && ev.bytes > 0 && firstBytes) {
          firstBytes = false;
          performance.mark(FIRST_PLAINTEXT_MARK);
        }
        if (ev.type === 'progress' || ev.type === 'retry') {
          setFile(ev.file, ev.type === 'progress' ? { status: 'running', bytes: ev.bytes, retrying: false } : { retrying: true });
          if (target === 'all') {
            set((s) => ({ zip: { ...s.zip, status: 'running', bytes: indices.reduce((a, i) => a + (s.files[i]?.bytes ?? 0), 0) } }));
          }
          if (ev.type === 'retry') announce(`Connection dropped; resuming ${name}.`);
          const done = target === 'all' ? get().zip.bytes : get().files[ev.file].bytes;
          const step = Math.floor(percent(done, total) / 25) * 25;
          if (step > 0 && step < 100 && step > (lastAnnounced.get(key) ?? 0)) {
            lastAnnounced.set(key, step);
            announce(`${name}: ${step} percent downloaded.`);
          }
        } else if (ev.type === 'file-done') {
          // The worker already compared; check again against the manifest shown here.
          if (ev.sha256 === m.files[ev.file].sha256) {
            setFile(ev.file, { status: 'verified', bytes: m.files[ev.file].size, sha256: ev.sha256, error: undefined, retrying: false });
            if (target !== 'all') announce(`${m.files[ev.file].name} downloaded. SHA-256 verified.`);
          }
        }
      };
    }

    return {
      shareId: id,
      phase: { kind: 'loading' },
      manifest: null,
      downloadsLeft: null,
      expiresAt: null,
      grantExpiresAt: null,
      files: [],
      zip: { status: 'idle', bytes: 0 },
      sizeWarning: null,
      lastRun: null,
      announcement: '',
      noteReveal: { status: 'hidden' },

      async load() {
        set({ phase: { kind: 'loading' } });
        // Registering the /dl/ worker (fetch, install, activate) runs alongside the
        // share's GET and /manifest, so a first click does not wait for it.
        void prepareServiceWorker();
        try {
          const asked = api.shareInfo(id);
          // The browser's own Ed25519 for the keys and proofs; without one, @noble/curves
          // builds its table (the derivation's first ~30-40 ms) while the GET is on its way.
          if (!(await installWebCryptoEd25519())) warmEd25519();
          const info = await asked;
          requiresToken = info.requiresToken === true;
          if (requiresToken && !partnerToken) partnerToken = storedPartnerToken();
          if (requiresToken && !partnerToken) {
            set({ phase: { kind: 'token', busy: false } });
            return;
          }
          let params;
          try {
            params = passwordParams(info);
          } catch {
            set({ phase: { kind: 'unsupported-kdf' } });
            return;
          }
          if (params) {
            hasPassword = true;
            set({ phase: { kind: 'password', busy: false } });
            return;
          }
          await openShare(info);
        } catch (e) {
          showFailure(e, false);
        }
      },

      open() {
        opening ??= get().load();
        return opening;
      },

      async submitToken(token) {
        const phase = get().phase;
        if (phase.kind !== 'token' || phase.busy) return;
        const t = token.trim();
        if (!/^[\x21-\x7e]{20,512}$/.test(t)) {
          set({ phase: { kind: 'token', busy: false, error: 'Paste the whole partner token the sender gave you.' } });
          return;
        }
        partnerToken = t;
        storePartnerToken(t);
        set({ phase: { kind: 'token', busy: true } });
        await get().load(); // on to the password (if any) and the file list; a refusal comes back here
      },

      async submitPassword(password) {
        const phase = get().phase;
        if (phase.kind !== 'password' || phase.busy || !hasPassword) return;
        if (phase.retryAt && phase.retryAt > Date.now()) return;
        if (password.length === 0) {
          set({ phase: { kind: 'password', busy: false, error: 'Enter the password the sender gave you.' } });
          return;
        }
        set({ phase: { kind: 'password', busy: true } });
        announce('Checking the password.');
        try {
          await openShare(await api.shareInfo(id), password);
        } catch (e) {
          showFailure(e, true); // shown in a role="alert", which screen readers announce
        }
      },

      async download(target, opts = {}) {
        performance.mark(DOWNLOAD_CLICK_MARK);
        const m = get().manifest;
        if (!m || !share) return;
        const key = String(target);
        if (running.has(key)) return;
        const indices = target === 'all' ? m.files.map((_, i) => i) : [target];
        // ZIP entries carry the sender's lastModified when shared, else the share's creation time (not the download time).
        const created = Date.parse(m.createdAt);
        const job0: DownloadJob = {
          id,
          grant: '',
          files: indices.map((i) => ({ index: i, key: new Uint8Array(0), ...m.files[i], lastModified: m.files[i].lastModified ?? created })),
          zipName: target === 'all' ? ZIP_NAME : undefined,
          extras: target === 'all' ? minisigExtras(m, indices) : undefined,
        };
        const saveAs = saveName(job0);
        const total = target === 'all' ? indices.reduce((a, i) => a + m.files[i].size, 0) : m.files[target].size;
        const bytes = target === 'all' ? zipLength(job0) : total;

        const ac = new AbortController();
        running.set(key, ac);
        try {
          const plan = await planDownload(saveAs);
          if (!plan) return; // the save dialog was closed
          if (!opts.confirmedLarge && needsSizeWarning(plan, bytes)) {
            set({ sizeWarning: { target, bytes } });
            return;
          }
          set({ sizeWarning: null });
          const markAll = (patch: Partial<FileState>) => set((s) => ({ files: s.files.map((f, j) => (indices.includes(j) ? { ...f, ...patch } : f)) }));
          markAll({ status: 'waiting', bytes: 0, error: undefined, sha256: undefined });
          if (target === 'all') set({ zip: { status: 'waiting', bytes: 0 } });
          lastAnnounced.delete(key);
          announce(`Starting the download of ${saveAs}.`);

          const fail = (failure: DownloadFailure) => {
            if (target === 'all') {
              set({ zip: { status: 'failed', bytes: 0, error: failure } });
              set((s) => ({ files: s.files.map((f, j) => (indices.includes(j) && f.status !== 'verified' ? { ...f, status: j === failure.file ? 'failed' : 'idle', error: j === failure.file ? failure : undefined } : f)) }));
            } else setFile(target, { status: 'failed', error: failure, retrying: false });
            announce(''); // the failure itself is a role="alert" next to the file
          };

          // The download is taken while the method starts (the service worker's
          // navigation waits for the grant); a refusal or wrong sizes end it with nothing saved.
          const granted = ensureGrant().then((g) => {
            for (const i of indices) {
              const bad = sizeCheck(g, m, i);
              if (bad) throw new DownloadRunError(bad);
            }
            return g.grant;
          });
          granted.catch(() => {}); // handled by runDownload, unless a cancel ended it first
          const job: DownloadJob = { ...job0, files: await Promise.all(job0.files.map(async (f) => ({ ...f, key: await share!.keys.fileKey(f.index) }))) };
          const started = performance.now();
          try {
            const method = await runDownload(job, granted, plan, saveAs, bytes, onEvent(target, indices, total, saveAs), ac.signal);
            const s = get();
            const unverified = indices.filter((i) => s.files[i].status !== 'verified');
            if (unverified.length > 0) {
              // Never happens with an honest worker: the stream would have failed first.
              return fail({ kind: 'integrity', file: unverified[0], message: 'The download ended without its SHA-256 check.' });
            }
            if (target === 'all') {
              set({ zip: { status: 'verified', bytes: total } });
              announce(`${saveAs} downloaded. All ${indices.length} files verified.`);
            }
            set({ lastRun: { method, bytes: total, ms: performance.now() - started } });
          } catch (e) {
            fail(e instanceof DownloadRunError ? e.failure : toFailure(e));
          } finally {
            for (const f of job.files) f.key.fill(0); // the workers got their own copies
          }
        } finally {
          running.delete(key);
        }
      },

      cancel(target) {
        running.get(String(target))?.abort();
      },

      dismissWarning() {
        set({ sizeWarning: null });
      },

      async revealNote() {
        if (!get().manifest || get().noteReveal.status !== 'hidden') return;
        set({ noteReveal: { status: 'busy' } });
        try {
          await ensureGrant();
          set({ noteReveal: { status: 'shown' } });
          announce('The message is shown below.');
        } catch (e) {
          set({ noteReveal: { status: 'hidden', error: e instanceof DownloadRunError ? e.failure : toFailure(e) } });
        }
      },
    };
  });
  return store;
}

export type ReceiveStore = ReturnType<typeof createReceiveStore>;

/** e.g. "12.3 MB of 40.0 MB" */
export function progressText(done: number, total: number): string {
  return `${formatBytes(done)} of ${formatBytes(total)}`;
}
