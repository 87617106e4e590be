// The kill switch: revoke every uploading and active share. It needs the words
// REVOKE ALL typed out and the admin token entered again; the re-entered token
// is the one sent, so the server itself checks it.
import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@sealdrop/shared';
import { api } from '../app/api.ts';
import { ADMIN_KEY } from './context.ts';
import { Dialog } from './Dialog.tsx';
import { errorMessage } from './errors.ts';
import { Alert, Button, Checkbox, Field, Section, Status } from '../ui/index.ts';

const PHRASE = 'REVOKE ALL';

export function RevokeAll() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [phrase, setPhrase] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const [tokens, setTokens] = useState(false);

  const close = () => {
    setOpen(false);
    setPhrase('');
    setToken('');
    setError('');
    setBusy(false);
    setTokens(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (phrase !== PHRASE || !token.trim()) return;
    setBusy(true);
    setError('');
    try {
      const r = await api.admin(token.trim()).revokeAll({ tokens });
      close();
      const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
      setResult(
        `Revoked ${n(r.revoked, 'share')} and ended ${n(r.grantsEnded, 'download grant')}${tokens ? `; revoked ${n(r.tokensRevoked, 'API token')} and ${n(r.downloadTokensRevoked, 'partner download token')}` : ''}. ` +
          'Every link that was live has stopped working.' +
          (r.purgePending ? ` ${n(r.purgePending, 'revoked share')} still being deleted; the sweep finishes them (running this again is safe).` : ''),
      );
      await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY] });
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError && (err.status === 401 || err.status === 403) ? 'That admin token is not valid. Nothing was revoked.' : errorMessage(err));
    }
  };

  return (
    <Section headingId="admin-danger-h" title="Danger zone" className="card danger-zone">
      <p>
        Revoke every uploading and active share on this server at once, for example after a breach. Links stop working immediately and
        the stored files are deleted. This cannot be undone.
      </p>
      <Status>{result}</Status>
      <div>
        <Button variant="danger" onClick={() => setOpen(true)}>
          Revoke all shares…
        </Button>
      </div>
      <Dialog open={open} title="Revoke all shares?" onClose={close}>
        <form onSubmit={submit} className="stack" noValidate>
          <p>Every uploading and active share will be revoked. This cannot be undone.</p>
          <Field
            label={
              <>
                Type <span className="mono">{PHRASE}</span> to confirm
              </>
            }
          >
            {(c) => <input {...c} type="text" value={phrase} onChange={(e) => setPhrase(e.target.value)} autoComplete="off" spellCheck={false} autoFocus />}
          </Field>
          <Field label="Admin token, again">
            {(c) => <input {...c} type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
          <Checkbox label="Also revoke every token (upload, minted admin and partner download tokens)" checked={tokens} onChange={setTokens} />
          <Alert>{error}</Alert>
          <div className="row dialog-actions">
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" variant="danger" disabled={busy || phrase !== PHRASE || !token.trim()}>
              {busy ? 'Revoking…' : 'Revoke all shares'}
            </Button>
          </div>
        </form>
      </Dialog>
    </Section>
  );
}
