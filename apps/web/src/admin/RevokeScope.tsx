// Revoke by scope: the shares of one upload token, of one label (a share's partner label or its token's name),
// or created in a time window. The count comes first (a dry run on the server);
// the confirmation shows it, and the result says what was done.
import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { MAX_ADVISORY_CHARS, type RevokeScopeRequest } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { errorMessage } from './errors.ts';
import { Button, Field, FormMessages, Section } from '../ui/index.ts';

type Kind = 'token' | 'label' | 'window';
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** A datetime-local value (local time) as ISO UTC, or null. */
const toIso = (v: string) => {
  const d = new Date(v);
  return v && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
};

export function RevokeScope() {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>('token');
  const [token, setToken] = useState('');
  const [label, setLabel] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [advisory, setAdvisory] = useState('');
  const [error, setError] = useState('');
  const [result, setResult] = useState('');
  const [pending, setPending] = useState<{ req: RevokeScopeRequest; revoked: number; grants: number } | null>(null);

  const request = (): RevokeScopeRequest | string => {
    if (kind === 'token') return /^[A-Za-z0-9_-]{12}$/.test(token.trim()) ? { scope: 'token', token: token.trim() } : 'Enter a token id (12 characters, see API tokens).';
    if (kind === 'label') return label.trim() ? { scope: 'label', label: label.trim() } : 'Enter a label (partner:acme) or the name of the upload tokens.';
    const s = toIso(since);
    const u = toIso(until);
    if (!s || !u) return 'Enter both ends of the time window.';
    if (s >= u) return '“From” must be before “Until”.';
    return { scope: 'window', since: s, until: u };
  };

  const count = async (e: FormEvent) => {
    e.preventDefault();
    setResult('');
    const req = request();
    if (typeof req === 'string') return setError(req);
    setError('');
    try {
      const dry = await admin.revokeScope({ ...req, dryRun: true });
      setPending({ req, revoked: dry.revoked, grants: dry.grantsEnded });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const run = async () => {
    const r = await admin.revokeScope({ ...pending!.req, ...(advisory.trim() ? { advisory: advisory.trim() } : {}) });
    setResult(`Revoked ${plural(r.revoked, 'share')} and ended ${plural(r.grantsEnded, 'download grant')}.`);
    await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY] });
  };

  return (
    <Section
      headingId="admin-scope-h"
      title="Revoke by scope"
      className="card"
      intro="Revoke the live shares of a leaked upload token, of one label (a partner label such as partner:acme, or the name of the upload tokens), or created in a time window."
    >
      <form onSubmit={count} className="stack" noValidate>
        <Field label="Scope">
          {(c) => (
            <select {...c} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="token">Shares of one upload token</option>
              <option value="label">Shares with a label</option>
              <option value="window">Shares created in a time window</option>
            </select>
          )}
        </Field>
        {kind === 'token' && (
          <Field label="Token id">
            {(c) => <input {...c} type="text" className="mono" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
        )}
        {kind === 'label' && (
          <Field label="Label (partner:acme, or a token name)">
            {(c) => <input {...c} type="text" maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} autoComplete="off" />}
          </Field>
        )}
        {kind === 'window' && (
          <div className="row">
            <Field label="From (local time)">{(c) => <input {...c} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />}</Field>
            <Field label="Until (local time)">{(c) => <input {...c} type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />}</Field>
          </div>
        )}
        <Field label="Notice for their recipients (optional)">
          {(c) => (
            <input
              {...c}
              type="text"
              maxLength={MAX_ADVISORY_CHARS}
              value={advisory}
              onChange={(e) => setAdvisory(e.target.value)}
              autoComplete="off"
              placeholder="e.g. This build was compromised; use 1.4.3"
            />
          )}
        </Field>
        <FormMessages error={error} status={result} />
        <div>
          <Button type="submit" variant="danger">
            Count and revoke…
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `Revoke ${plural(pending.revoked, 'live share')}?` : 'Revoke?'}
        confirmLabel={pending ? `Revoke ${plural(pending.revoked, 'share')}` : 'Revoke'}
        danger
        onConfirm={run}
        onClose={() => setPending(null)}
      >
        <p data-testid="scope-count">
          {pending && `${plural(pending.revoked, 'live share')} in this scope will be revoked and ${plural(pending.grants, 'running download grant')} ended. `}
          Their links stop working at once and their files are deleted. Expired and used-up shares are left as they are.
        </p>
      </ConfirmDialog>
    </Section>
  );
}
