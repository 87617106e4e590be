// Webhook endpoints: register one (its signing secret is shown once), see each
// endpoint's delivery state and deliveries, redeliver one, remove an endpoint.
import { useId, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type CreateWebhookResponse, type Webhook, type WebhookFormat } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { Alert, Button, Checkbox, DataTable, EmptyState, Field, FormCard, Section, ShownOnce, Status } from '../ui/index.ts';
import { formatShortDateTime } from './format.ts';
import { errorMessage } from './errors.ts';
import { QueryProblem } from './QueryProblem.tsx';

const FORMAT_LABEL: Record<WebhookFormat, string> = { json: 'Sealdrop JSON', slack: 'Slack-compatible', ocsf: 'OCSF (SIEM)' };

const DELIVERY_COLUMNS = ['Delivery', 'Event', 'Queued', 'State', 'Attempts', 'Last answer', { label: 'Actions', hidden: true } as const];

function Deliveries(props: { hook: Webhook }) {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState('');
  const q = useQuery({ queryKey: [ADMIN_KEY, 'webhook-deliveries', props.hook.id], queryFn: () => admin.webhookDeliveries(props.hook.id), refetchInterval: 5000 });
  const redeliver = async (id: number) => {
    try {
      await admin.redeliver(props.hook.id, id);
      setStatus(`Delivery ${id} queued again.`);
      await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY, 'webhook-deliveries', props.hook.id] });
    } catch (err) {
      setStatus(`Could not redeliver: ${errorMessage(err)}`);
    }
  };
  if (q.error) return <QueryProblem error={q.error} what="the deliveries" onRetry={() => q.refetch()} />;
  if (!q.data) return <p>Loading the deliveries…</p>;
  return (
    <div className="stack">
      <Status tone="plain" small>
        {status}
      </Status>
      {q.data.deliveries.length === 0 ? (
        <EmptyState>No deliveries yet.</EmptyState>
      ) : (
        <DataTable label={`Deliveries to ${props.hook.url}`} columns={DELIVERY_COLUMNS}>
          {q.data.deliveries.map((d) => (
            <tr key={d.id} data-delivery-id={d.id}>
              <th scope="row">{d.id}</th>
              <td>{d.event}</td>
              <td>{formatShortDateTime(d.createdAt)}</td>
              <td>{d.deliveredAt ? `Delivered ${formatShortDateTime(d.deliveredAt)}` : `Pending, next try ${formatShortDateTime(d.nextAt)}`}</td>
              <td>{d.attempts}</td>
              <td>{d.lastStatus === null ? '' : d.lastStatus === 0 ? `no answer: ${d.lastError ?? ''}` : `${d.lastStatus}${d.lastError ? `: ${d.lastError}` : ''}`}</td>
              <td>
                <Button small srLabel={` delivery ${d.id}`} onClick={() => redeliver(d.id)}>
                  Redeliver
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

export function WebhooksView() {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const eventsId = useId();
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<WebhookFormat>('json');
  const [labels, setLabels] = useState('');
  const [events, setEvents] = useState<string[]>(['download', 'bad_password', 'revoke', 'checkpoint']);
  const [all, setAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [created, setCreated] = useState<CreateWebhookResponse | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const q = useQuery({ queryKey: [ADMIN_KEY, 'webhooks'], queryFn: () => admin.webhooks(), refetchInterval: 10_000 });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return setError('Give the endpoint’s URL (https://…).');
    if (!all && events.length === 0) return setError('Pick at least one event, or all events.');
    setBusy(true);
    setError('');
    try {
      const tags = labels.split(/[\s,]+/).filter(Boolean);
      const h = await admin.createWebhook({ url: url.trim(), events: all ? ['*'] : (events as never), format, ...(tags.length ? { labels: tags } : {}) });
      setCreated(h);
      setUrl('');
      setLabels('');
      setAnnounce('Endpoint registered. Copy its signing secret now: it will not be shown again.');
      await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY, 'webhooks'] });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (h: Webhook) => {
    await admin.deleteWebhook(h.id);
    setAnnounce(`Endpoint ${h.url} removed.`);
    if (open === h.id) setOpen(null);
    await queryClient.invalidateQueries({ queryKey: [ADMIN_KEY, 'webhooks'] });
  };

  const toggle = (ev: string, on: boolean) => setEvents((cur) => (on ? [...cur, ev] : cur.filter((x) => x !== ev)));

  return (
    <Section
      headingId="admin-webhooks-h"
      title="Webhooks"
      intro="Events are posted as JSON to each endpoint, signed with HMAC-SHA-256 in the Sealdrop-Signature header, retried with back-off while the endpoint is down, and in order for each share."
    >
      <Status>{announce}</Status>
      {created && (
        <ShownOnce
          title={<>Signing secret for {created.url}</>}
          warning={
            <>
              <strong>Copy this secret now. It will not be shown again.</strong> Your receiver checks each delivery’s signature with it.
            </>
          }
          label="Signing secret"
          value={created.secret}
          onDone={() => setCreated(null)}
        />
      )}

      <FormCard className="stack" onSubmit={create} label="Register a webhook endpoint">
        <div className="token-form">
          <Field label="Endpoint URL">
            {(c) => <input {...c} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://siem.example.com/hooks/sealdrop" autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label="Format">
            {(c) => (
              <select {...c} value={format} onChange={(e) => setFormat(e.target.value as WebhookFormat)}>
                {WEBHOOK_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {FORMAT_LABEL[f]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Only shares labelled (key:value)" hint="Empty: every event. Otherwise only events of shares carrying one of these labels (none without a share).">
            {(c) => <input {...c} type="text" value={labels} onChange={(e) => setLabels(e.target.value)} autoComplete="off" spellCheck={false} placeholder="e.g. partner:acme" />}
          </Field>
        </div>
        <fieldset>
          <legend>Events</legend>
          <Checkbox id={eventsId} label="All events" checked={all} onChange={setAll} />
          {!all && (
            <div className="webhook-events">
              {WEBHOOK_EVENTS.map((ev) => (
                <Checkbox key={ev} id={`${eventsId}-${ev}`} label={ev} checked={events.includes(ev)} onChange={(on) => toggle(ev, on)} />
              ))}
            </div>
          )}
        </fieldset>
        <div className="row">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Registering…' : 'Register endpoint'}
          </Button>
        </div>
        <Alert small>{error}</Alert>
      </FormCard>

      {q.error && <QueryProblem error={q.error} what="the webhooks" onRetry={() => q.refetch()} />}
      {q.data && q.data.webhooks.length === 0 && <EmptyState>No webhook endpoints yet.</EmptyState>}
      {q.data?.webhooks.map((h) => (
        <article key={h.id} className="card stack" aria-label={`Endpoint ${h.url}`} data-webhook-id={h.id}>
          <h3 className="mono">{h.url}</h3>
          <p className="small">
            {FORMAT_LABEL[h.format]} · {h.events.includes('*') ? 'all events' : h.events.join(', ')}
            {h.labels?.length ? ` · only shares labelled ${h.labels.join(' or ')}` : ''} · {h.pending} pending ·{' '}
            {h.lastStatus === null
              ? 'nothing sent yet'
              : h.failures > 0
                ? <span className="error-text">{h.failures} failed attempt{h.failures === 1 ? '' : 's'} in a row ({h.lastStatus === 0 ? 'no answer' : h.lastStatus}{h.lastError ? `: ${h.lastError}` : ''})</span>
                : `last answer ${h.lastStatus}, ${formatShortDateTime(h.lastSuccessAt)}`}
          </p>
          <div className="row">
            <Button aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
              {open === h.id ? 'Hide deliveries' : 'Show deliveries'}
            </Button>
            <Button variant="danger" srLabel={` endpoint ${h.url}`} onClick={() => remove(h)}>
              Remove
            </Button>
          </div>
          {open === h.id && <Deliveries hook={h} />}
        </article>
      ))}
    </Section>
  );
}
