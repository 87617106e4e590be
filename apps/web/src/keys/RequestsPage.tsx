// Requests: create a file request bound to one of this browser's keys (expiry,
// number of senders, size cap), share its link and QR; list what arrived, open
// each share (sealed to the key, so it opens with it here), close the request.
import { displayFingerprint } from '@sealdrop/crypto';
import type { RequestShare } from '@sealdrop/shared';
import { useEffect, useId, useState } from 'react';
import { CopyField } from '../ui/index.ts';
import { Link } from '../app/Link.tsx';
import { QrCode } from '../send/QrCode.tsx';
import { listIdentities, type StoredIdentity } from './identityStore.ts';
import { arrivals, closeMyRequest, createMyRequest, listMyRequests, type MyRequest } from './myRequests.ts';
import './keys.css';

const EXPIRY = [
  { label: '1 day', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 },
];
const MiB = 1024 * 1024;

export function RequestsPage() {
  const [keys, setKeys] = useState<StoredIdentity[] | null>(null);
  const [mine, setMine] = useState<MyRequest[]>(() => listMyRequests());
  const [key, setKey] = useState('');
  const [expiresIn, setExpiresIn] = useState(86400);
  const [maxShares, setMaxShares] = useState(10);
  const [maxMiB, setMaxMiB] = useState(100);
  const [error, setError] = useState('');
  const ids = { key: useId(), exp: useId(), shares: useId(), size: useId() };
  useEffect(() => {
    listIdentities().then((k) => (setKeys(k), setKey(k[0]?.fingerprint ?? '')), () => setKeys([]));
  }, []);

  const create = async () => {
    const k = keys?.find((x) => x.fingerprint === key);
    if (!k) return;
    setError('');
    try {
      await createMyRequest(k, { expiresIn, maxShares, maxBytes: maxMiB * MiB });
      setMine(listMyRequests());
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section className="keys" aria-labelledby="requests-title">
      <h1 id="requests-title" tabIndex={-1}>
        Requests
      </h1>
      <p>A request link lets anyone send you files that only your key opens.</p>
      {keys && keys.length === 0 ? (
        <p>
          First <Link href="/keys">create a key</Link>: a request is bound to one.
        </p>
      ) : (
        <form
          className="card stack"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2>New request</h2>
          <label htmlFor={ids.key}>Sealed to key</label>
          <select id={ids.key} value={key} onChange={(e) => setKey(e.currentTarget.value)}>
            {keys?.map((k) => (
              <option key={k.fingerprint} value={k.fingerprint}>
                {displayFingerprint(k.fingerprint)}
              </option>
            ))}
          </select>
          <label htmlFor={ids.exp}>Open for</label>
          <select id={ids.exp} value={expiresIn} onChange={(e) => setExpiresIn(Number(e.currentTarget.value))}>
            {EXPIRY.map((x) => (
              <option key={x.seconds} value={x.seconds}>
                {x.label}
              </option>
            ))}
          </select>
          <label htmlFor={ids.shares}>Number of senders</label>
          <input id={ids.shares} type="number" min={1} max={100} value={maxShares} onChange={(e) => setMaxShares(Math.max(1, Math.min(100, Number(e.currentTarget.value) || 1)))} />
          <label htmlFor={ids.size}>Size cap (MiB, all senders together)</label>
          <input id={ids.size} type="number" min={1} value={maxMiB} onChange={(e) => setMaxMiB(Math.max(1, Number(e.currentTarget.value) || 1))} />
          <p>
            <button type="submit" className="primary">
              Create request
            </button>
          </p>
          {error && (
            <p className="notice error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
      <ul className="key-list">
        {mine.map((r) => (
          <li key={r.id}>
            <RequestCard r={r} onClosed={() => setMine(listMyRequests())} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function RequestCard({ r, onClosed }: { r: MyRequest; onClosed: () => void }) {
  const [shares, setShares] = useState<RequestShare[] | null>(null);
  const [error, setError] = useState('');
  const refresh = () => arrivals(r).then(setShares, (e: Error) => setError(e.message));
  useEffect(() => void refresh(), [r.id]);
  return (
    <article className="key-card" aria-label={`Request ${r.id}`}>
      <h2>
        Request to key <span className="fingerprint">{displayFingerprint(r.fingerprint)}</span>
        {r.closed ? ' (closed)' : ''}
      </h2>
      <p className="muted small">Open until {new Date(r.expiresAt).toLocaleString()}</p>
      <CopyField label="Request link" value={r.url} hint="Anyone with this link can send you files; only your key opens them." />
      <QrCode text={r.url} label={`QR code of the request link ${r.id}`} size={180} />
      <h3>Arrived</h3>
      {shares && shares.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul aria-label={`Shares sent to request ${r.id}`}>
        {shares?.map((s) => (
          <li key={s.id}>
            <Link href={`/s/${s.id}`}>
              Open {s.files} file{s.files === 1 ? '' : 's'} sent {new Date(s.createdAt).toLocaleString()}
            </Link>{' '}
            <span className="muted small">({s.status})</span>
          </li>
        ))}
      </ul>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <div className="keys-actions">
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
        {!r.closed && (
          <button type="button" className="danger" onClick={() => void closeMyRequest(r).then(onClosed, (e: Error) => setError(e.message))}>
            Close request
          </button>
        )}
      </div>
    </article>
  );
}
