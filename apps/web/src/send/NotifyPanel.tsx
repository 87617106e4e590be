// Owner receipts on the done screen: the sender gives a URL that is told about
// this share's views, downloads, wrong passwords and revoke (signed JSON), and
// gets the signing secret once. A URL given on the send page's options was
// already registered by the upload; its outcome arrives as `initial`.
import { useId, useState, type FormEvent } from 'react';
import type { NotifyResponse } from '@sealdrop/shared';
import { requestReceipts, type ReceiptOutcome } from '../transfer/receipts.ts';

export function NotifyPanel({ id, ownerToken, initial }: { id: string; ownerToken: string; initial?: ReceiptOutcome }) {
  const urlId = useId();
  const secretId = useId();
  const [url, setUrl] = useState(initial && !initial.ok ? initial.url : '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initial && !initial.ok ? initial.error : '');
  const [done, setDone] = useState<NotifyResponse | null>(initial?.ok ? initial.response : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const outcome = await requestReceipts(id, ownerToken, url);
    setBusy(false);
    if (outcome.ok) setDone(outcome.response);
    else setError(outcome.error);
  };

  if (done) {
    return (
      <div className="card stack" role="status">
        <p>
          Downloads of this share will be posted to <span className="mono">{done.url}</span>, signed with this secret. Copy it now: it is
          shown once.
        </p>
        <label htmlFor={secretId}>Notification signing secret</label>
        <input id={secretId} type="text" readOnly className="mono" value={done.secret} onFocus={(e) => e.currentTarget.select()} />
      </div>
    );
  }
  return (
    <form className="card stack" onSubmit={submit} aria-label="Get notified of downloads" noValidate>
      <div>
        <label htmlFor={urlId}>Notify a URL of downloads (optional)</label>
        <input id={urlId} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hooks.example.com/me" autoComplete="off" spellCheck={false} />
        <p className="muted small">Each view, download, wrong password and revoke of this share is posted there as signed JSON (never the key).</p>
      </div>
      <p className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Setting up…' : 'Notify me'}
        </button>
      </p>
      <p role="alert" className="error-text small">
        {error}
      </p>
    </form>
  );
}
