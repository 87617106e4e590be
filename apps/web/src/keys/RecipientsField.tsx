// "Seal to recipient keys" on the send page: paste a public key or load a key
// file (one a line); each is shown by fingerprint and can be removed.
import { displayFingerprint, MAX_STANZAS, type Recipient } from '@sealdrop/crypto';
import { useId, useState } from 'react';
import { recipientsFromText } from './sealedSend.ts';
import './keys.css';

export function RecipientsField({ value, onChange }: { value: Recipient[]; onChange: (v: Recipient[]) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const pasteId = useId();
  const fileId = useId();
  const add = (found: Recipient[]) => {
    const have = new Set(value.map((r) => r.fingerprint));
    const next = [...value, ...found.filter((r) => !have.has(r.fingerprint) && (have.add(r.fingerprint), true))];
    if (next.length > MAX_STANZAS) return setError(`A share can be sealed to at most ${MAX_STANZAS} keys.`);
    setError('');
    onChange(next);
  };
  const addText = (t: string, from: string) => {
    try {
      const found = recipientsFromText(t);
      if (!found.length) return setError(`${from} holds no public key.`);
      add(found);
      setText('');
    } catch (e) {
      setError(`${from}: ${(e as Error).message}`);
    }
  };
  return (
    <fieldset className="recipients">
      <legend>Seal to recipient keys (optional)</legend>
      <p className="muted small">Only holders of these keys can open the share, and its link holds no secret: it can be posted in public.</p>
      <label htmlFor={pasteId}>Public key (sealdrop-pq1:…)</label>
      <div className="row">
        <textarea id={pasteId} rows={2} value={text} spellCheck={false} onChange={(e) => setText(e.currentTarget.value)} />
        <button type="button" disabled={!text.trim()} onClick={() => addText(text, 'The pasted text')}>
          Add key
        </button>
      </div>
      <p>
        <label htmlFor={fileId}>Load a key file</label>{' '}
        <input
          id={fileId}
          type="file"
          onChange={async (e) => {
            const f = e.currentTarget.files?.[0];
            if (f) addText(await f.text(), f.name);
            e.currentTarget.value = '';
          }}
        />
      </p>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {value.length > 0 && (
        <ul className="recipient-list" aria-label="Recipient keys">
          {value.map((r) => (
            <li key={r.fingerprint}>
              <span className="fingerprint">{displayFingerprint(r.fingerprint)}</span>{' '}
              <button type="button" onClick={() => onChange(value.filter((x) => x.fingerprint !== r.fingerprint))}>
                Remove<span className="visually-hidden"> key {displayFingerprint(r.fingerprint)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
