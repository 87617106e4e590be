// Partner access (/admin/access): per partner download token, the live shares it
// can open now, their expiry, downloads used and the partner's last access, with
// a label filter and a CSV export. Revoking a token is on the API tokens page.
import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { LABEL_RE } from '@sealdrop/shared';
import { Link } from '../app/Link.tsx';
import { Alert, Button, EmptyState, Field, FormCard, saveTextFile, Section, Status, Table, TableRegion } from '../ui/index.ts';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { errorMessage } from './errors.ts';
import { formatShortDateTime, shortId } from './format.ts';
import { QueryProblem } from './QueryProblem.tsx';

export function AccessReportView() {
  const { admin } = useAdmin();
  const [input, setInput] = useState('');
  const [label, setLabel] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const q = useQuery({ queryKey: [ADMIN_KEY, 'access-report', label ?? ''], queryFn: () => admin.accessReport({ label }) });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const l = input.trim();
    if (l && !LABEL_RE.test(l)) {
      setFormError('A label is key:value, for example partner:acme.');
      return;
    }
    setFormError('');
    setLabel(l || undefined);
  };

  const exportCsv = async () => {
    setStatus('Preparing the CSV file…');
    try {
      const text = await admin.exportAccessReport({ label });
      saveTextFile(text, `sealdrop-access-report-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, 'text/csv;charset=utf-8');
      setStatus('Saved the access report as CSV.');
    } catch (err) {
      setStatus(`Export failed: ${errorMessage(err)}`);
    }
  };

  return (
    <Section
      headingId="admin-access-h"
      title="Partner access"
      intro={
        <>
          Who can open what, right now: every live partner download token and the live shares that require one of its labels. To end a
          partner's access to all of them at once, revoke the token on the <Link href="/admin/tokens">API tokens</Link> page.
        </>
      }
    >
      <FormCard className="log-filters" onSubmit={apply} label="Filter the access report">
        <Field label="Label">
          {(c) => (
            <input
              {...c}
              type="text"
              value={input}
              onChange={(e) => setInput(e.target.value)}
              placeholder="e.g. partner:acme"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={formError ? true : undefined}
            />
          )}
        </Field>
        <div className="row">
          <Button type="submit" variant="primary">
            Show
          </Button>
          <Button onClick={() => void exportCsv()}>Export CSV</Button>
        </div>
        <Alert small>{formError}</Alert>
      </FormCard>
      <Status>{status}</Status>
      {q.error && <QueryProblem error={q.error} what="the access report" onRetry={() => q.refetch()} />}
      {q.data && q.data.tokens.length === 0 && <EmptyState>No live partner tokens{label ? ` with ${label}` : ''}.</EmptyState>}
      {q.data?.tokens.map((t) => (
        <TableRegion key={t.id} label={`Shares partner token ${t.label} can open`}>
          <h3>
            {t.label} <span className="muted small mono">{t.labels.join(' ')}</span>
          </h3>
          <p className="muted small">
            Token {t.id}, expires {formatShortDateTime(t.expiresAt)}, last used {t.lastUsedAt ? formatShortDateTime(t.lastUsedAt) : 'never'}.
          </p>
          {t.shares.length === 0 ? (
            <EmptyState>No live share requires its labels.</EmptyState>
          ) : (
            <Table caption={`Shares ${t.label} can open`} columns={['Share', 'Requires', 'Expires', 'Downloads', 'Last access']}>
              {t.shares.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link href={`/admin/shares/${s.id}`}>{shortId(s.id)}</Link>
                  </th>
                  <td className="mono">{s.requireLabel}</td>
                  <td>{formatShortDateTime(s.expiresAt)}</td>
                  <td>
                    {s.downloadsUsed} / {s.maxDownloads}
                  </td>
                  <td>{s.lastAccessAt ? formatShortDateTime(s.lastAccessAt) : 'never'}</td>
                </tr>
              ))}
            </Table>
          )}
        </TableRegion>
      ))}
    </Section>
  );
}
