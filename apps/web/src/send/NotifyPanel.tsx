// Owner receipts from the done screen: the sender gives a URL that is told about
// this share's views, downloads, wrong passwords and revoke (signed JSON), and
// gets the signing secret once.
import { useId, useState, type FormEvent } from 'react';
import type { NotifyResponse } from '@sealdrop/shared';
import { api } from '../app/api.ts';

export function NotifyPanel({ id, ownerToken }: { id: string; ownerToken: string }) {
  const urlId = useId();
  const secretId = useId();
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState<NotifyResponse | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return setError('Give the URL to notify (https://…).');
    setBusy(true);
    setError('');
    try {
      setDone(await api.notify(id, ownerToken, url.trim()));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
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
