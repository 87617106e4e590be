// Asks for the partner download token of a share that requires one. The store
// keeps it for this tab (partnerToken.ts) and sends it as Authorization: Bearer.
import { useId, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { ReceiveStore } from './receiveStore.ts';

export function PartnerTokenForm({ store }: { store: ReceiveStore }) {
  const phase = useStore(store, (s) => s.phase);
  const [token, setToken] = useState('');
  const inputId = useId();
  const errorId = useId();
  const hintId = useId();
  const p = phase.kind === 'token' ? phase : { busy: false, error: undefined };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void store.getState().submitToken(token);
  };
  return (
    <section className="receive" aria-labelledby="receive-title">
      <h1 id="receive-title">This link needs your partner token</h1>
      <p className="muted" id={hintId}>
        The sender made this share for a partner organisation: it opens only together with the access token they issued to you. It is
        kept in this tab until you close it.
      </p>
      <form className="card stack password-form" onSubmit={submit} noValidate aria-busy={p.busy}>
        <div>
          <label htmlFor={inputId}>Partner token</label>
          <input
            id={inputId}
            type="password"
            autoComplete="off"
            autoFocus
            spellCheck={false}
            value={token}
            aria-invalid={p.error ? true : undefined}
            aria-describedby={p.error ? `${hintId} ${errorId}` : hintId}
            onChange={(e) => setToken(e.target.value)}
            disabled={p.busy}
          />
        </div>
        {p.error && (
          <div id={errorId} className="notice error" role="alert">
            <p>{p.error}</p>
          </div>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={p.busy}>
            {p.busy ? 'Checking…' : 'Continue'}
          </button>
        </div>
      </form>
    </section>
  );
}
