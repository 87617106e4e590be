// A link without a key (#…) to a share sealed to recipient keys: pick a key kept
// in this browser, or open an identity file; the unwrap runs in a worker
// (unseal.ts). Only the share's stanzas are read: no download is used.
import { displayFingerprint } from '@sealdrop/crypto';
import { useEffect, useId, useState } from 'react';
import { Link } from '../app/Link.tsx';
import { MISSING_KEY } from '../receive/messages.ts';
import { listIdentities, type StoredIdentity } from './identityStore.ts';
import { identitiesFromFile, isSealed, unsealInWorker } from './unseal.ts';

export const NOT_SEALED_TO_YOU = 'This share is not sealed to any of your keys.';

export function SealedPrompt({ id, onSecret }: { id: string; onSecret: (secret: string) => void }) {
  const [sealed, setSealed] = useState<boolean | null>(null);
  const [ids, setIds] = useState<StoredIdentity[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ title: string; body: string } | null>(null);
  const fileId = useId();
  useEffect(() => {
    void isSealed(id).then(setSealed);
    listIdentities().then(setIds, () => setIds([]));
  }, [id]);

  const tryKeys = async (texts: string[]) => {
    setBusy(true);
    setError(null);
    const r = await unsealInWorker(id, texts);
    setBusy(false);
    if (r.ok) return onSecret(r.secret);
    if (r.reason === 'not_sealed_to_you') setError({ title: NOT_SEALED_TO_YOU, body: 'None of the keys you tried opens it. Try another identity file, or ask the sender which key they sealed it to.' });
    else setError({ title: 'This link cannot be opened', body: r.message });
  };
  const openFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      await tryKeys(identitiesFromFile(await file.text()));
    } catch (e) {
      setError({ title: 'That is not an identity file', body: (e as Error).message });
    }
  };

  if (sealed === null) return <p role="status">Loading…</p>;
  if (!sealed) {
    // A v1 link that lost its fragment: as before.
    return (
      <section className="receive" aria-labelledby="receive-title">
        <h1 id="receive-title" tabIndex={-1}>
          {MISSING_KEY.title}
        </h1>
        <div className="notice error receive-problem" role="alert">
          <p>{MISSING_KEY.body}</p>
        </div>
        <p className="muted">
          <Link href="/">Send files of your own</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title" tabIndex={-1}>
        Open with your key
      </h1>
      <p>This link holds no secret: the files are sealed to recipient keys. Open them with your identity.</p>
      {ids && ids.length > 0 && (
        <ul className="stack key-choices" aria-label="Keys in this browser">
          {ids.map((k) => (
            <li key={k.fingerprint}>
              <button type="button" className="primary" disabled={busy} onClick={() => void tryKeys([k.secret])}>
                Open with key {displayFingerprint(k.fingerprint)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <p>
        <label htmlFor={fileId}>Open an identity file</label>{' '}
        <input id={fileId} type="file" disabled={busy} onChange={(e) => void openFile(e.currentTarget.files?.[0])} />
      </p>
      {ids && ids.length === 0 && (
        <p className="muted">
          No key is kept in this browser. <Link href="/keys">Keys</Link> creates or imports one.
        </p>
      )}
      <p role="status">{busy ? 'Trying the key…' : ''}</p>
      {error && (
        <div className="notice error receive-problem" role="alert">
          <p>
            <strong>{error.title}</strong>
          </p>
          <p>{error.body}</p>
        </div>
      )}
    </section>
  );
}
