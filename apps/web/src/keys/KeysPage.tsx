// Keys: recipient identities kept in this browser (IndexedDB only, never sent).
// Create one, give its public key to senders (Copy, QR, fingerprint), export it
// as an identity file (the CLI's format) or import one, delete it.
import { displayFingerprint } from '@sealdrop/crypto';
import { useEffect, useId, useState } from 'react';
import { CopyField } from '../ui/index.ts';
import { QrCode } from '../send/QrCode.tsx';
import { createIdentity, deleteIdentity, identityFileText, importIdentityFile, listIdentities, type StoredIdentity } from './identityStore.ts';
import './keys.css';

export function KeysPage() {
  const [ids, setIds] = useState<StoredIdentity[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const importId = useId();
  const reload = () => listIdentities().then(setIds, (e: Error) => setError(e.message));
  useEffect(() => void reload(), []);

  const create = async () => {
    setError('');
    const k = await createIdentity();
    await reload();
    setStatus(`New key ${displayFingerprint(k.fingerprint)} created.`);
  };
  const importFile = async (file: File | undefined) => {
    if (!file) return;
    setError('');
    try {
      const added = await importIdentityFile(await file.text());
      await reload();
      setStatus(added.length ? `Imported ${added.map((a) => displayFingerprint(a.fingerprint)).join(', ')}.` : 'That key is already here.');
    } catch (e) {
      setError(`That is not an identity file: ${(e as Error).message}`);
    }
  };

  return (
    <section className="keys" aria-labelledby="keys-title">
      <h1 id="keys-title" tabIndex={-1}>
        Keys
      </h1>
      <p>
        A key lets people send you files that only you can open (post-quantum X-Wing). Give them its public key; the key itself stays in this browser
        and is never sent anywhere. Export it to keep a copy, or to use it with the command-line tool.
      </p>
      <div className="keys-actions">
        <button type="button" className="primary" onClick={() => void create()}>
          Create a key
        </button>
        <label htmlFor={importId} className="file-label">
          Import an identity file
        </label>
        <input id={importId} type="file" onChange={(e) => void importFile(e.currentTarget.files?.[0])} />
      </div>
      <p role="status">{status}</p>
      {error && (
        <div className="notice error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {ids && ids.length === 0 && <p className="muted">No key in this browser yet.</p>}
      <ul className="key-list">
        {ids?.map((k) => (
          <li key={k.fingerprint}>
            <KeyCard k={k} onDeleted={() => void reload().then(() => setStatus(`Key ${displayFingerprint(k.fingerprint)} deleted.`))} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function KeyCard({ k, onDeleted }: { k: StoredIdentity; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [showQr, setShowQr] = useState(false);
  const fp = displayFingerprint(k.fingerprint);
  const exportFile = () => {
    const url = URL.createObjectURL(new Blob([identityFileText(k)], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `sealdrop-identity-${k.fingerprint.slice(0, 8)}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <article className="key-card" aria-label={`Key ${fp}`}>
      <h2>
        Key <span className="fingerprint">{fp}</span>
      </h2>
      <p className="muted small">Created {new Date(k.createdAt).toLocaleString()}</p>
      <CopyField label="Public key" value={k.publicKey} hint="Senders seal files to this (sealdrop send --to KEY, or paste it on the send page)." />
      <div className="keys-actions">
        <button type="button" aria-expanded={showQr} onClick={() => setShowQr((v) => !v)}>
          {showQr ? 'Hide QR code' : 'Show QR code'}
        </button>
        <button type="button" onClick={exportFile}>
          Export identity file
        </button>
        <button type="button" onClick={() => setConfirming(true)}>
          Delete
        </button>
      </div>
      {showQr && <QrCode text={k.publicKey} label={`QR code of the public key ${fp}`} size={280} />}
      {confirming && (
        <div className="notice warn stack" role="alert">
          <p>
            Deleting this key for good means nothing sealed to it can be opened again, unless you exported it. This cannot be undone.
          </p>
          <div className="keys-actions">
            <button type="button" className="danger" onClick={() => void deleteIdentity(k.fingerprint).then(onDeleted)}>
              Delete key {fp}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      )}
    </article>
  );
}
