// Sign in with an admin token. The token is checked against the server (GET
// /api/admin/stats) before it is kept, so a wrong token says so at once.
import { useId, useRef, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@sealdrop/shared';
import { api } from '../app/api.ts';
import { setAdminToken } from './session.ts';
import { errorMessage } from './errors.ts';
import { ADMIN_KEY } from './context.ts';

export function SignIn(props: { notice?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Enter the admin token.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const stats = await api.admin(value).stats();
      queryClient.setQueryData([ADMIN_KEY, 'stats'], stats);
      setAdminToken(value);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        setError('That admin token is not valid. Check it and try again.');
      } else if (err instanceof ApiError && err.status === 503) {
        setError('Admin is disabled on this server: it has no admin token configured.');
      } else {
        setError(errorMessage(err));
      }
      input.current?.focus();
      input.current?.select();
    }
  };

  return (
    <section className="admin admin-signin">
      <h1>Admin</h1>
      {props.notice && (
        <p className="notice ok" role="status">
          {props.notice}
        </p>
      )}
      <form className="card stack" onSubmit={submit} noValidate>
        <div>
          <label htmlFor={id}>Admin token</label>
          <div className="copy-row">
            <input
              id={id}
              ref={input}
              type={show ? 'text' : 'password'}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${id}-hint`}
              aria-invalid={error ? true : undefined}
              autoFocus
            />
            <button type="button" onClick={() => setShow((s) => !s)} aria-pressed={show}>
              {show ? 'Hide' : 'Show'}
              <span className="visually-hidden"> token</span>
            </button>
          </div>
          <p id={`${id}-hint`} className="muted small">
            Kept only in this tab until you sign out or close it, and sent only to this server.
          </p>
        </div>
        <p role="alert" className="error-text">
          {error}
        </p>
        <div>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
