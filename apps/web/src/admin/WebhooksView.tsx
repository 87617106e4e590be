// Webhook endpoints: register one (its signing secret is shown once), see each
// endpoint's delivery state and deliveries, redeliver one, remove an endpoint.
import { useId, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type CreateWebhookResponse, type Webhook, type WebhookFormat } from '@sealdrop/shared';
import { ADMIN_KEY, useAdmin } from './context.ts';
import { CopyField } from './CopyField.tsx';
import { formatShortDateTime } from './format.ts';
import { errorMessage } from './errors.ts';
import { QueryProblem } from './QueryProblem.tsx';

const FORMAT_LABEL: Record<WebhookFormat, string> = { json: 'Sealdrop JSON', slack: 'Slack-compatible', ocsf: 'OCSF (SIEM)' };

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
      <p role="status" className="small">
        {status}
      </p>
      {q.data.deliveries.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`Deliveries to ${props.hook.url}`}>
          <table>
            <caption className="visually-hidden">Deliveries to {props.hook.url}</caption>
            <thead>
              <tr>
                <th scope="col">Delivery</th>
                <th scope="col">Event</th>
                <th scope="col">Queued</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {q.data.deliveries.map((d) => (
                <tr key={d.id} data-delivery-id={d.id}>
                  <th scope="row">{d.id}</th>
                  <td>{d.event}</td>
                  <td>{formatShortDateTime(d.createdAt)}</td>
                  <td>{d.deliveredAt ? `Delivered ${formatShortDateTime(d.deliveredAt)}` : `Pending, next try ${formatShortDateTime(d.nextAt)}`}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastStatus === null ? '' : d.lastStatus === 0 ? `no answer: ${d.lastError ?? ''}` : `${d.lastStatus}${d.lastError ? `: ${d.lastError}` : ''}`}</td>
                  <td>
                    <button type="button" className="small-button" onClick={() => redeliver(d.id)}>
                      Redeliver<span className="visually-hidden"> delivery {d.id}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function WebhooksView() {
  const { admin } = useAdmin();
  const queryClient = useQueryClient();
  const ids = { url: useId(), format: useId(), events: useId(), labels: useId(), labelsHint: useId() };
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
    <section aria-labelledby="admin-webhooks-h" className="stack">
      <h2 id="admin-webhooks-h">Webhooks</h2>
      <p className="muted">
        Events are posted as JSON to each endpoint, signed with HMAC-SHA-256 in the Sealdrop-Signature header, retried with back-off
        while the endpoint is down, and in order for each share.
      </p>
      <p role="status" className="ok-text">
        {announce}
      </p>
      {created && (
        <div className="notice warn stack">
          <h3>Signing secret for {created.url}</h3>
          <p>
            <strong>Copy this secret now. It will not be shown again.</strong> Your receiver checks each delivery’s signature with it.
          </p>
          <CopyField label="Signing secret" value={created.secret} />
          <button type="button" onClick={() => setCreated(null)}>
            I have saved it
          </button>
        </div>
      )}

      <form className="card stack" onSubmit={create} aria-label="Register a webhook endpoint" noValidate>
        <div className="token-form">
          <div>
            <label htmlFor={ids.url}>Endpoint URL</label>
            <input id={ids.url} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://siem.example.com/hooks/sealdrop" autoComplete="off" spellCheck={false} />
          </div>
          <div>
            <label htmlFor={ids.format}>Format</label>
            <select id={ids.format} value={format} onChange={(e) => setFormat(e.target.value as WebhookFormat)}>
              {WEBHOOK_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABEL[f]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={ids.labels}>Only shares labelled (key:value)</label>
            <input
              id={ids.labels}
              type="text"
              value={labels}
              onChange={(e) => setLabels(e.target.value)}
              aria-describedby={ids.labelsHint}
              autoComplete="off"
              spellCheck={false}
              placeholder="e.g. partner:acme"
            />
            <p id={ids.labelsHint} className="small muted">
              Empty: every event. Otherwise only events of shares carrying one of these labels (none without a share).
            </p>
          </div>
        </div>
        <fieldset>
          <legend>Events</legend>
          <div className="checkbox">
            <input id={ids.events} type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            <label htmlFor={ids.events}>All events</label>
          </div>
          {!all && (
            <div className="webhook-events">
              {WEBHOOK_EVENTS.map((ev) => (
                <div className="checkbox" key={ev}>
                  <input id={`${ids.events}-${ev}`} type="checkbox" checked={events.includes(ev)} onChange={(e) => toggle(ev, e.target.checked)} />
                  <label htmlFor={`${ids.events}-${ev}`}>{ev}</label>
                </div>
              ))}
            </div>
          )}
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Registering…' : 'Register endpoint'}
          </button>
        </div>
        <p role="alert" className="error-text small">
          {error}
        </p>
      </form>

      {q.error && <QueryProblem error={q.error} what="the webhooks" onRetry={() => q.refetch()} />}
      {q.data && q.data.webhooks.length === 0 && <p className="muted">No webhook endpoints yet.</p>}
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
            <button type="button" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
              {open === h.id ? 'Hide deliveries' : 'Show deliveries'}
            </button>
            <button type="button" className="danger" onClick={() => remove(h)}>
              Remove<span className="visually-hidden"> endpoint {h.url}</span>
            </button>
          </div>
          {open === h.id && <Deliveries hook={h} />}
        </article>
      ))}
    </section>
  );
}
