// The freeze switch: stop new shares and new downloads without revoking anything,
// with a reason senders and recipients are shown; and unfreeze.
import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { MAX_FREEZE_REASON_CHARS } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { formatDateTime } from './format.ts';
import { Button, Field, FormMessages, Section } from '../ui/index.ts';
import { useAction } from './useAction.ts';

export function FreezePanel() {
  const { admin } = useAdmin();
  const q = useQuery({ queryKey: [ADMIN_KEY, 'freeze'], queryFn: () => admin.freeze() });
  const [reason, setReason] = useState('');
  const { busy, error, status, setError, run: runAction } = useAction();
  const freeze = q.data?.freeze ?? null;

  const run = (action: () => Promise<unknown>, done: string) =>
    runAction(async () => {
      await action();
      setReason('');
      return done;
    });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Give a reason: senders and recipients will read it.');
      return;
    }
    void run(() => admin.setFreeze(reason), 'Frozen. New shares and downloads are refused with your reason.');
  };

  return (
    <Section headingId="admin-freeze-h" title="Freeze" className="card">
      {freeze ? (
        <div className="notice warn" data-testid="admin-frozen">
          <p>
            <strong>Frozen since {formatDateTime(freeze.since, true)}.</strong> No new shares or downloads; links stay valid.
          </p>
          <p>Reason shown to users: {freeze.reason}</p>
        </div>
      ) : (
        <p className="muted">
          Stop new shares and new downloads at once (maintenance or an incident) without revoking anything. Users see your reason.
        </p>
      )}
      <form onSubmit={submit} className="stack" noValidate aria-label={freeze ? 'Change the freeze reason' : 'Freeze the server'}>
        <Field label={freeze ? 'New reason' : 'Reason shown to users'}>
          {(c) => (
            <input
              {...c}
              type="text"
              maxLength={MAX_FREEZE_REASON_CHARS}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              autoComplete="off"
              placeholder="e.g. Investigating an incident, back by 14:00 UTC"
            />
          )}
        </Field>
        <FormMessages error={error} status={status} />
        <div className="row">
          <Button type="submit" variant="danger" disabled={busy}>
            {freeze ? 'Update reason' : 'Freeze'}
          </Button>
          {freeze && (
            <Button variant="primary" disabled={busy} onClick={() => void run(() => admin.unfreeze(), 'Unfrozen. New shares and downloads are accepted again.')}>
              Unfreeze
            </Button>
          )}
        </div>
      </form>
    </Section>
  );
}
