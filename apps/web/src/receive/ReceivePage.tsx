// The recipient page, /s/:id#S. It renders the store's state (receiveStore.ts);
// the protocol lives there and in src/transfer. Names from the manifest are only
// ever rendered as text, and no decrypted content is ever shown in this origin.
import { isShareId, parseLinkSecret, fileExtension } from '@sealdrop/crypto';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { Link } from '../app/Link.tsx';
import { createReceiveStore, progressText, type FileState, type ReceiveStore, type Target } from './receiveStore.ts';
import { onFragment, takeFragment } from './fragment.ts';
import { takeOpened } from './early.ts';
import { minisigName, readMinisig, saveMinisig } from './minisig.ts';
import { ReportLink } from './ReportLink.tsx';
import { formatBytes } from '@sealdrop/shared';
import { absoluteTime, percent, relativeTime } from './format.ts';
import { Advisory } from './Advisory.tsx';
import { OpeningLink } from './OpeningLink.tsx';
import { ADVISORY_BODY, BAD_MANIFEST_TITLE, DAMAGED_LINK, MALFORMED_KEY_TITLE, MISSING_KEY, UNAVAILABLE, UNSUPPORTED_KDF, tryAgainIn } from './messages.ts';
import type { DownloadFailure } from '../transfer/downloadTypes.ts';
import { SealedPrompt } from '../keys/SealedPrompt.tsx';
import { PartnerTokenForm } from './PartnerTokenForm.tsx';
import './receive.css';

type Init = { kind: 'bad-id' } | { kind: 'no-key'; title: string; body: string } | { kind: 'sealed' } | { kind: 'ok'; store: ReceiveStore; key: number };

/** Counts the keys this page has opened: each new one (a hashchange) gets a fresh view. */
let opened = 0;

function init(id: string): Init {
  const raw = takeFragment(id); // strip the key from the address bar first, whatever else is wrong
  if (!isShareId(id)) return { kind: 'bad-id' };
  if (!raw) return { kind: 'sealed' }; // v1.1: maybe sealed to keys (SealedPrompt says when it is not)
  try {
    return { kind: 'ok', store: takeOpened(id, raw) ?? createReceiveStore(id, parseLinkSecret(raw)), key: ++opened };
  } catch (e) {
    return { kind: 'no-key', title: MALFORMED_KEY_TITLE, body: (e as Error).message };
  }
}

export function ReceivePage({ id }: { id: string }) {
  const [state, setState] = useState(() => init(id));
  // A link pasted into this tab after a reload (or a changed key) arrives as a
  // hashchange, not a page load: take it, and clear it from the address bar again.
  useEffect(() => onFragment(() => setState(init(id))), [id]);
  if (state.kind === 'sealed') return <SealedPrompt id={id} onSecret={(secret) => setState({ kind: 'ok', store: createReceiveStore(id, parseLinkSecret(secret)), key: ++opened })} />;
  if (state.kind === 'bad-id') return <Problem title={UNAVAILABLE.not_found.title} body={UNAVAILABLE.not_found.body} />;
  if (state.kind === 'no-key') return <Problem title={state.title} body={state.body} />;
  return <Receive key={state.key} store={state.store} />;
}

/** Seconds left until `at`, ticking once a second while there are any. */
function useCountdown(at: number | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!at || at <= Date.now()) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [at]);
  return at ? Math.max(0, Math.ceil((at - now) / 1000)) : 0;
}

function Problem({ title, body, children }: { title: string; body: string; children?: React.ReactNode }) {
  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title" tabIndex={-1}>
        {title}
      </h1>
      <div className="notice error receive-problem" role="alert">
        <p>{body}</p>
      </div>
      {children}
      <p className="muted">
        <Link href="/">Send files of your own</Link>
      </p>
    </section>
  );
}

function Receive({ store }: { store: ReceiveStore }) {
  const phase = useStore(store, (s) => s.phase);
  const announcement = useStore(store, (s) => s.announcement);
  useEffect(() => {
    void store.getState().open();
  }, [store]);
  // Tell keyboard and screen-reader users that the page changed: focus its heading.
  const shown = phase.kind;
  useEffect(() => {
    if (shown !== 'loading' && shown !== 'password' && shown !== 'token') document.getElementById('receive-title')?.focus();
  }, [shown]);
  const retryAt = phase.kind === 'unavailable' ? phase.retryAt : undefined;
  const left = useCountdown(retryAt);

  let body: React.ReactNode;
  switch (phase.kind) {
    case 'loading':
      body = <OpeningLink />;
      break;
    case 'unavailable': {
      const m = UNAVAILABLE[phase.reason];
      const canRetry = phase.reason === 'network' || phase.reason === 'other' || phase.reason === 'rate_limited';
      body = (
        <Problem title={m.title} body={phase.advisory ? ADVISORY_BODY : phase.detail ? `${m.body} (${phase.detail})` : m.body}>
          {phase.advisory && <Advisory text={phase.advisory} />}
          {left > 0 && <p aria-live="polite">{tryAgainIn(left)}</p>}
          {canRetry && (
            <p>
              <button type="button" disabled={left > 0} onClick={() => void store.getState().load()}>
                Try again
              </button>
            </p>
          )}
        </Problem>
      );
      break;
    }
    case 'unsupported-kdf':
      body = <Problem title={UNSUPPORTED_KDF.title} body={UNSUPPORTED_KDF.body} />;
      break;
    case 'damaged-link':
      body = <Problem title={DAMAGED_LINK.title} body={DAMAGED_LINK.body} />;
      break;
    case 'bad-manifest':
      body = (
        <Problem
          title={BAD_MANIFEST_TITLE}
          body={`The list of files in this share breaks Sealdrop's safety rules, so nothing from it is shown or downloaded. Reason: ${phase.detail}`}
        />
      );
      break;
    case 'password':
      body = <PasswordForm store={store} />;
      break;
    case 'token':
      body = <PartnerTokenForm store={store} />;
      break;
    case 'ready':
      body = store.getState().manifest?.files.length === 0 ? <NoteOnly store={store} /> : <FileList store={store} />;
      break;
  }
  return (
    <>
      {body}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );
}

function PasswordForm({ store }: { store: ReceiveStore }) {
  const phase = useStore(store, (s) => s.phase);
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const inputId = useId();
  const errorId = useId();
  const p = phase.kind === 'password' ? phase : { busy: false, error: undefined, retryAt: undefined };
  const left = useCountdown(p.retryAt);
  const blocked = p.busy || left > 0;
  const input = useRef<HTMLInputElement>(null);
  // After a refused password, keep the keyboard in the field with the text
  // selected, so the next attempt is typed straight over it (the error itself is
  // a role="alert", announced by screen readers).
  useEffect(() => {
    if (p.busy || !p.error) return;
    input.current?.focus();
    input.current?.select();
  }, [p.busy, p.error]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void store.getState().submitPassword(password);
  };
  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title">This share is protected by a password</h1>
      <p className="muted">
        The sender set a password. It is checked in your browser and never sent to the server; only a proof made from it is.
      </p>
      <form className="card stack password-form" onSubmit={submit} noValidate aria-busy={p.busy}>
        <div>
          <label htmlFor={inputId}>Password</label>
          <div className="row">
            <input
              id={inputId}
              type={show ? 'text' : 'password'}
              autoComplete="off"
              autoFocus
              spellCheck={false}
              value={password}
              aria-invalid={p.error ? true : undefined}
              aria-describedby={p.error ? errorId : undefined}
              ref={input}
              onChange={(e) => setPassword(e.target.value)}
              readOnly={p.busy}
            />
            <button type="button" aria-pressed={show} onClick={() => setShow((v) => !v)}>
              {show ? 'Hide' : 'Show'}
            </button>
          </div>
        </div>
        {p.error && (
          <div id={errorId} className="notice error" role="alert">
            <p>
              {p.error} {left > 0 && tryAgainIn(left)}
            </p>
          </div>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={blocked}>
            {p.busy ? 'Checking…' : 'Unlock'}
          </button>
          {p.busy && (
            <span className="muted busy" role="status">
              <span className="spinner" aria-hidden="true" /> Checking the password (this takes a moment on purpose)…
            </span>
          )}
        </div>
      </form>
      <ReportLink id={store.getState().shareId} />
    </section>
  );
}

function FileList({ store }: { store: ReceiveStore }) {
  const manifest = useStore(store, (s) => s.manifest)!;
  const files = useStore(store, (s) => s.files);
  const zip = useStore(store, (s) => s.zip);
  const grantExpiresAt = useStore(store, (s) => s.grantExpiresAt);
  const sizeWarning = useStore(store, (s) => s.sizeWarning);
  const lastRun = useStore(store, (s) => s.lastRun);
  const total = manifest.files.reduce((a, f) => a + f.size, 0);
  const count = manifest.files.length;
  const { download } = store.getState();

  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title" tabIndex={-1}>
        {count === 1 ? 'A file was shared with you' : `${count} files were shared with you`}
      </h1>
      <p className="muted">
        End-to-end encrypted: your browser decrypts the files and checks them. The server never sees their names or contents.
      </p>
      <ShareMeta store={store} leftLabel="Downloads left">
        <div>
          <dt>Total</dt>
          <dd>
            {formatBytes(total)} in {count} {count === 1 ? 'file' : 'files'}
          </dd>
        </div>
      </ShareMeta>

      {manifest.note !== undefined && manifest.note !== '' && (
        <div className="card note">
          <h2>Note from the sender</h2>
          <p className="note-text">{manifest.note}</p>
        </div>
      )}

      {sizeWarning && (
        <div className="notice warn stack" role="alert">
          <p>
            This browser can only save this download ({formatBytes(sizeWarning.bytes)}) by holding all of it in memory first, which may
            make the tab crash. A browser with service workers or the File System Access API (such as a current Chrome, Edge or Firefox)
            streams it to disk instead.
          </p>
          <div className="row">
            <button type="button" onClick={() => void download(sizeWarning.target, { confirmedLarge: true })}>
              Download anyway
            </button>
            <button type="button" onClick={() => store.getState().dismissWarning()}>
              Cancel
            </button>
          </div>
        </div>
      )}

      <ul className="file-list" aria-label="Files">
        {manifest.files.map((f, i) => (
          <FileRow
            key={i}
            index={i}
            name={f.name}
            size={f.size}
            expected={f.sha256}
            minisig={manifest.signatures?.find((sig) => sig.file === i)?.minisig}
            state={files[i]}
            store={store}
            zipBusy={zip.status === 'waiting' || zip.status === 'running'}
          />
        ))}
      </ul>

      {count > 1 && (
        <div className="card stack zip">
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={zip.status === 'waiting' || zip.status === 'running'}
              onClick={() => void download('all')}
            >
              Download all as ZIP
            </button>
            <span className="muted">{formatBytes(total)}, not compressed</span>
            {(zip.status === 'waiting' || zip.status === 'running') && (
              <button type="button" onClick={() => store.getState().cancel('all')}>
                Cancel<span className="visually-hidden"> the ZIP download</span>
              </button>
            )}
          </div>
          {(zip.status === 'waiting' || zip.status === 'running') && <Progress done={zip.bytes} total={total} label="ZIP download" />}
          {zip.status === 'verified' && (
            <p className="ok-text" role="status">
              ✓ ZIP saved: every file in it decrypted and its SHA-256 verified.
            </p>
          )}
          {zip.status === 'failed' && zip.error && <Failure failure={zip.error} what="The ZIP download" />}
        </div>
      )}

      <p className="muted small">
        {grantExpiresAt
          ? `This page can fetch the files again without using another download until ${absoluteTime(grantExpiresAt)}.`
          : 'Opening this page used no download. Your first click on Download uses one; the other files then come with it.'}
      </p>
      {lastRun && (
        <p className="muted small" data-testid="last-run">
          Last download: {formatBytes(lastRun.bytes)} in {(lastRun.ms / 1000).toFixed(1)} s
          {lastRun.bytes >= 10_000_000 ? ` (${formatBytes((lastRun.bytes / lastRun.ms) * 1000)}/s)` : ''}, saved{' '}
          {lastRun.method === 'sw' ? 'by streaming to disk' : lastRun.method === 'fsa' ? 'into the file you picked' : 'via memory'}.
        </p>
      )}
      <ReportLink id={store.getState().shareId} />
    </section>
  );
}

/** Expiry and what is left of the limit, after any items of the page's own. */
function ShareMeta({ store, leftLabel, children }: { store: ReceiveStore; leftLabel: string; children?: React.ReactNode }) {
  const downloadsLeft = useStore(store, (s) => s.downloadsLeft);
  const expiresAt = useStore(store, (s) => s.expiresAt);
  return (
    <dl className="receive-meta">
      {children}
      {expiresAt && (
        <div>
          <dt>Expires</dt>
          <dd>
            <time dateTime={expiresAt} title={absoluteTime(expiresAt)}>
              {relativeTime(expiresAt)}
            </time>{' '}
            <span className="muted">({absoluteTime(expiresAt)})</span>
          </dd>
        </div>
      )}
      {downloadsLeft !== null && (
        <div>
          <dt>{leftLabel}</dt>
          <dd data-testid="downloads-left">{downloadsLeft}</dd>
        </div>
      )}
    </dl>
  );
}

/** A note-only share: a secret message with no file, shown as plain text once a download is taken. */
function NoteOnly({ store }: { store: ReceiveStore }) {
  const manifest = useStore(store, (s) => s.manifest)!;
  const reveal = useStore(store, (s) => s.noteReveal);
  const text = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (reveal.status === 'shown') text.current?.focus();
  }, [reveal.status]);
  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title" tabIndex={-1}>
        A message was shared with you
      </h1>
      <p className="muted">End-to-end encrypted: your browser decrypts the message. The server never sees it.</p>
      <ShareMeta store={store} leftLabel="Views left" />
      {reveal.status === 'shown' ? (
        <div className="card note">
          <h2>Message from the sender</h2>
          <p className="note-text" ref={text} tabIndex={-1} data-testid="note-text">
            {manifest.note}
          </p>
        </div>
      ) : (
        <div className="card stack">
          <p>Opening this page used nothing. Showing the message counts as one download of this link.</p>
          <p>
            <button type="button" className="primary" disabled={reveal.status === 'busy'} onClick={() => void store.getState().revealNote()}>
              {reveal.status === 'busy' ? 'Opening…' : 'Show the message'}
            </button>
          </p>
          {reveal.error && <Failure failure={reveal.error} what="Showing the message" />}
        </div>
      )}
      <ReportLink id={store.getState().shareId} />
    </section>
  );
}

function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const pc = percent(done, total);
  return (
    <div className="progress">
      <progress max={100} value={pc} aria-label={label} />
      <span className="muted small">
        {pc}% · {progressText(done, total)}
      </span>
    </div>
  );
}

function FileRow(props: {
  index: number;
  name: string;
  size: number;
  expected: string;
  minisig?: string;
  state: FileState | undefined;
  store: ReceiveStore;
  zipBusy: boolean;
}) {
  const { index, name, size, expected, store } = props;
  const st: FileState = props.state ?? { status: 'idle', bytes: 0 };
  const { stem, ext } = fileExtension(name);
  const cut = stem.lastIndexOf('/') + 1;
  const folder = stem.slice(0, cut);
  const base = stem.slice(cut);
  const busy = st.status === 'waiting' || st.status === 'running';
  const target: Target = index;
  return (
    <li className="file card" data-testid="file-row">
      <div className="file-head">
        <span className="file-name" title={name}>
          {folder && <span className="folder">{folder}</span>}
          <span className="stem">{base}</span>
          {ext && <span className="ext">{ext}</span>}
        </span>
        <span className="muted file-size">{formatBytes(size)}</span>
        <span className="file-actions">
          {busy ? (
            <button type="button" onClick={() => store.getState().cancel(target)}>
              Cancel<span className="visually-hidden"> {name}</span>
            </button>
          ) : (
            <button type="button" className={st.status === 'verified' ? undefined : 'primary'} disabled={props.zipBusy} onClick={() => void store.getState().download(target)}>
              {st.status === 'verified' ? 'Download again' : 'Download'}
              <span className="visually-hidden"> {name}</span>
            </button>
          )}
        </span>
      </div>
      {props.minisig !== undefined && <Signature text={props.minisig} fileName={name} />}
      {busy && (
        <>
          <Progress done={st.bytes} total={size} label={`Downloading ${name}`} />
          {st.retrying && <p className="muted small">Connection dropped, resuming…</p>}
        </>
      )}
      {st.status === 'verified' && st.sha256 && <Verified sha256={st.sha256} />}
      {st.status === 'failed' && st.error && <Failure failure={st.error} what={`The download of ${name}`} />}
      {st.status !== 'verified' && (
        <details className="small">
          <summary>SHA-256 from the sender</summary>
          <code className="mono digest">{expected}</code>
        </details>
      )}
    </li>
  );
}

function Signature({ text, fileName }: { text: string; fileName: string }) {
  const info = readMinisig(text);
  if (!info) return <p className="small error-text">The sender attached a signature this page cannot read.</p>;
  return (
    <div className="signature-block">
      <p className="small signature">
        Signed with minisign key <code className="mono">{info.keyId}</code>
        {info.trustedComment && (
          <>
            {' '}
            (“<span className="signature-comment">{info.trustedComment}</span>”)
          </>
        )}
        . Not checked here: compare the key id with the sender's public key from a place you trust, or check the downloaded file with{' '}
        <code className="mono">minisign -V</code>.
      </p>
      <p className="row small">
        <button type="button" onClick={() => saveMinisig(fileName, text)}>
          Save {minisigName(fileName.slice(fileName.lastIndexOf('/') + 1))}
        </button>
        <span className="muted">
          then <code className="mono">minisign -Vm {fileName.slice(fileName.lastIndexOf('/') + 1)} -p sender.pub</code>
        </span>
      </p>
    </div>
  );
}

function Verified({ sha256 }: { sha256: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(sha256);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="verified" role="status">
      <p className="ok-text">
        <span aria-hidden="true">✓ </span>SHA-256 verified: it matches the sender's file list.
      </p>
      <div className="row digest-row">
        <code className="mono digest" data-testid="sha256">
          {sha256}
        </code>
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
          <span className="visually-hidden"> SHA-256</span>
        </button>
      </div>
    </div>
  );
}

const FAILURE_HINT: Partial<Record<DownloadFailure['kind'], string>> = {
  integrity: 'Integrity error: the data is not what the sender sent. Your browser marked the download as failed; if a partial file remains, delete it.',
  exhausted: UNAVAILABLE.exhausted.body,
  expired: UNAVAILABLE.expired.body,
  revoked: UNAVAILABLE.revoked.body,
  not_found: UNAVAILABLE.not_found.body,
  network: 'The connection to the server was lost. Try again; the download resumes where it can.',
  grant: 'Try the download again.',
  rate_limited: UNAVAILABLE.rate_limited.body,
};

/** Kinds whose own message says more than the hint; for the others (a revoke mid-download…) the hint is the whole story. */
const RAW_MESSAGE = new Set<DownloadFailure['kind']>(['integrity', 'storage', 'other']);

/** A message as a sentence: capital first letter, final full stop. */
function sentence(m: string): string {
  const t = m.trim();
  if (!t) return '';
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

function Failure({ failure, what }: { failure: DownloadFailure; what: string }) {
  const hint = FAILURE_HINT[failure.kind];
  const title =
    failure.kind === 'integrity'
      ? 'Integrity check failed'
      : failure.kind === 'canceled'
        ? 'Canceled'
        : failure.kind === 'exhausted'
          ? 'No downloads left'
          : failure.kind === 'expired'
            ? 'This link has expired'
            : failure.kind === 'revoked'
              ? 'This link was withdrawn'
              : 'Download failed';
  return (
    <div className={`notice ${failure.kind === 'canceled' ? 'warn' : 'error'}`} role="alert" data-failure={failure.kind}>
      <p>
        <strong>{title}.</strong> {what} did not complete. {RAW_MESSAGE.has(failure.kind) ? sentence(failure.message) : ''}
      </p>
      {hint && <p>{hint}</p>}
    </div>
  );
}
