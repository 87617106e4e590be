// Webhook delivery against the real stack and a real loopback receiver: events
// that happen while the receiver is down wait in the outbox, retried with
// back-off; once it is up every event arrives exactly once, in order per share,
// with a valid signature. A redirect is not followed. Prints the latency from a
// download's log row to its arrival.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { tempDir } from './helpers/files.ts';
import { freePort, startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
let work: { dir: string; cleanup: () => Promise<void> };
const w = (...p: string[]) => path.join(work.dir, ...p);
const show = (r: CliResult) => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
const api = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${stack.url}${p}`, {
    method,
    headers: { Authorization: `Bearer ${stack.adminToken}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

interface Arrival {
  delivery: number;
  event: string;
  body: any;
  arrivedAt: number;
  signatureOk: boolean;
}

/** The README's verification recipe, in Node. */
function verifySignature(secret: string, header: string, raw: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const mac = createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest();
  return timingSafeEqual(mac, Buffer.from(m[2], 'hex')) && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
}

function receiver(port: number, secret: () => string, arrivals: Arrival[], answer = 204): Promise<Server> {
  const srv = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      arrivals.push({
        delivery: Number(req.headers['sealdrop-delivery']),
        event: String(req.headers['sealdrop-event']),
        body: JSON.parse(raw),
        arrivedAt: Date.now(),
        signatureOk: verifySignature(secret(), String(req.headers['sealdrop-signature']), raw),
      });
      res.writeHead(answer, answer === 302 ? { Location: 'http://127.0.0.1:1/elsewhere' } : {}).end();
    });
  });
  return new Promise((resolve) => srv.listen(port, '127.0.0.1', () => resolve(srv)));
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // Any API request also runs the deliverer after its answer.
    await fetch(`${stack.url}/api/health`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  work = await tempDir('webhooks');
  stack = await startStack();
  await writeFile(w('a.txt'), 'webhook test file\n'.repeat(100));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await work?.cleanup();
});

async function sendAndReceive(tag: string): Promise<string> {
  const sent = await runCli(['send', w('a.txt'), '--downloads', '3', '--server', stack.url, '--json']);
  expect(sent.code, show(sent)).toBe(0);
  const link = JSON.parse(sent.stdout);
  const got = await runCli(['receive', link.url, '-o', w(`out-${tag}`)]);
  expect(got.code, show(got)).toBe(0);
  return link.id ?? new URL(link.url).pathname.split('/').pop();
}

describe('webhooks', () => {
  it('hold events while the receiver is down and deliver each once, in order, signed, when it is up', async () => {
    const port = await freePort([stack.port]);
    let secret = '';
    const created = await api('POST', '/api/admin/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['create', 'finalize', 'manifest', 'download', 'file'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secret = created.body.secret;
    const id = created.body.id;

    // Down: two shares sent and fetched, nothing listening.
    await sendAndReceive('down1');
    await sendAndReceive('down2');
    const failing = await until('a failed attempt', async () => {
      const { body } = await api('GET', '/api/admin/webhooks');
      const hook = body.webhooks.find((h: any) => h.id === id);
      return hook.failures > 0 && hook;
    });
    expect(failing.lastStatus).toBe(0);
    expect(failing.lastError).toMatch(/connection/i);
    const queued = (await api('GET', `/api/admin/webhooks/${id}/deliveries`)).body.deliveries;
    expect(queued.length).toBeGreaterThanOrEqual(8);
    expect(queued.every((d: any) => d.deliveredAt === null)).toBe(true);

    // Up: everything arrives (retried with back-off).
    const arrivals: Arrival[] = [];
    const srv = await receiver(port, () => secret, arrivals);
    try {
      await until('every queued event', async () => arrivals.length >= queued.length && arrivals);
      await new Promise((r) => setTimeout(r, 2000)); // and nothing twice
      const ids = arrivals.map((a) => a.delivery);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => a - b)).toEqual(queued.map((d: any) => d.id).sort((a: number, b: number) => a - b));
      expect(arrivals.every((a) => a.signatureOk)).toBe(true);
      // In order per share.
      const byShare = new Map<string, number[]>();
      for (const a of arrivals) byShare.set(a.body.shareId, [...(byShare.get(a.body.shareId) ?? []), a.delivery]);
      expect(byShare.size).toBe(2);
      for (const list of byShare.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
      for (const list of byShare.values()) {
        const events = arrivals.filter((a) => list.includes(a.delivery)).map((a) => a.event);
        expect(events.slice(0, 2)).toEqual(['create', 'finalize']);
        expect(events).toContain('download');
      }
      const status = (await api('GET', '/api/admin/webhooks')).body.webhooks.find((h: any) => h.id === id);
      expect(status).toMatchObject({ failures: 0, pending: 0, lastError: null });

      // Latency: a download while the receiver is up, from its log row's time to arrival.
      const before = arrivals.length;
      await sendAndReceive('up');
      const dl = await until('the download event', async () => arrivals.slice(before).find((a) => a.event === 'download'));
      const latency = dl.arrivedAt - Date.parse(dl.body.at);
      console.log(`webhook latency after a download: ${latency} ms`);

      // Redeliver sends that delivery again.
      const again = await api('POST', `/api/admin/webhooks/${id}/deliveries/${dl.delivery}/redeliver`);
      expect(again.status).toBe(202);
      await until('the redelivery', async () => arrivals.filter((a) => a.delivery === dl.delivery).length === 2);
    } finally {
      srv.close();
      await api('DELETE', `/api/admin/webhooks/${id}`);
    }
  });

  it('a Slack-format endpoint gets the share\u2019s expiry with the link masked and no key', async () => {
    const port = await freePort([stack.port]);
    const arrivals: Arrival[] = [];
    let secret = '';
    const srv = await receiver(port, () => secret, arrivals);
    try {
      const created = await api('POST', '/api/admin/webhooks', { url: `http://127.0.0.1:${port}/slack`, events: ['download'], format: 'slack' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      secret = created.body.secret;
      const sent = await runCli(['send', w('a.txt'), '--downloads', '3', '--expires', '2d', '--server', stack.url, '--json']);
      expect(sent.code, show(sent)).toBe(0);
      const link = JSON.parse(sent.stdout) as { url: string; expiresAt: string };
      const id = new URL(link.url).pathname.split('/').pop()!;
      const secretPart = new URL(link.url).hash.slice(1);
      expect((await runCli(['receive', link.url, '-o', w('out-slack')])).code).toBe(0);
      const got = await until('the Slack message', async () => arrivals.find((a) => a.event === 'download'));
      expect(got.signatureOk).toBe(true);
      const text = got.body.text as string;
      expect(Object.keys(got.body)).toEqual(['text']);
      expect(text).toContain('download granted');
      expect(text).toContain(`share ${id.slice(0, 4)}…`);
      expect(text).not.toContain(id);
      expect(text).not.toContain(secretPart);
      const expires = /expires (\S+)/.exec(text)?.[1];
      expect(expires).toBe(new Date(link.expiresAt).toISOString());
      const left = Date.parse(expires ?? '') - Date.now();
      expect(left).toBeGreaterThan(47 * 3600_000);
      expect(left).toBeLessThanOrEqual(48 * 3600_000);
      await api('DELETE', `/api/admin/webhooks/${created.body.id}`);
    } finally {
      srv.close();
    }
  });

  it('send --publish-sha256: the Slack message names each file\u2019s SHA-256; without the flag the server gets none', async () => {
    const port = await freePort([stack.port]);
    const arrivals: Arrival[] = [];
    let secret = '';
    const srv = await receiver(port, () => secret, arrivals);
    try {
      const created = await api('POST', '/api/admin/webhooks', { url: `http://127.0.0.1:${port}/slack-sha`, events: ['finalize'], format: 'slack' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      secret = created.body.secret;
      await writeFile(w('b.txt'), 'the second file\n');
      const sha = (text: string) => createHash('sha256').update(text).digest('hex');
      const hashes = [sha('webhook test file\n'.repeat(100)), sha('the second file\n')];
      const sendOne = async (...flags: string[]) => {
        const sent = await runCli(['send', w('a.txt'), w('b.txt'), '--server', stack.url, '--json', ...flags]);
        expect(sent.code, show(sent)).toBe(0);
        const out = JSON.parse(sent.stdout) as { id: string; files: { name: string; sha256: string }[] };
        expect(out.files.map((f) => f.sha256)).toEqual(hashes);
        return out.id;
      };
      const published = await sendOne('--publish-sha256');
      const plain = await sendOne();
      const text = (id: string) => until(`the finalize of ${id}`, async () => arrivals.find((a) => a.body.text.includes(`share ${id.slice(0, 4)}…`))?.body.text as string | undefined);
      expect(await text(published)).toContain(`SHA-256 file 1 ${hashes[0]}, file 2 ${hashes[1]}`);
      const none = await text(plain);
      expect(none).toContain('share finalized');
      expect(none).not.toMatch(/SHA-256|[0-9a-f]{64}/);
      // What the server holds: the published share's hashes in its admin row, none for the other.
      const shares = (await api('GET', '/api/admin/shares?limit=100')).body.shares;
      expect(shares.find((x: any) => x.id === published).sha256).toEqual(hashes);
      expect(shares.find((x: any) => x.id === plain).sha256).toBeUndefined();
      await api('DELETE', `/api/admin/webhooks/${created.body.id}`);
    } finally {
      srv.close();
    }
  });

  it('admin webhooks create --labels registers a label filter, and refuses a malformed label before asking the server', async () => {
    const admin = (...args: string[]) => runCli(['admin', 'webhooks', ...args, '--server', stack.url], { env: { SEALDROP_ADMIN_TOKEN: stack.adminToken } });
    const bad = await admin('create', '--url', 'http://127.0.0.1:9/l', '--events', 'download', '--labels', 'partner:acme,Not A Label');
    expect(bad.code, show(bad)).toBe(1);
    expect(bad.stderr).toContain('"Not A Label" is not key:value');
    const made = await admin('create', '--url', 'http://127.0.0.1:9/l', '--events', 'download', '--labels', 'partner:acme, partner:initech', '--json');
    expect(made.code, show(made)).toBe(0);
    const hook = JSON.parse(made.stdout) as { id: string; labels: string[] };
    expect(hook.labels).toEqual(['partner:acme', 'partner:initech']);
    const listed = (await api('GET', '/api/admin/webhooks')).body.webhooks;
    expect(listed.filter((h: any) => h.url === 'http://127.0.0.1:9/l').map((h: any) => h.labels)).toEqual([['partner:acme', 'partner:initech']]);
    await api('DELETE', `/api/admin/webhooks/${hook.id}`);
  });

  it('does not follow a redirect', async () => {
    const port = await freePort([stack.port]);
    const arrivals: Arrival[] = [];
    const srv = await receiver(port, () => '', arrivals, 302);
    try {
      const created = await api('POST', '/api/admin/webhooks', { url: `http://127.0.0.1:${port}/r`, events: ['admin'], format: 'slack' });
      const hook = await until('the redirect answer', async () => {
        const { body } = await api('GET', '/api/admin/webhooks');
        const h = body.webhooks.find((x: any) => x.id === created.body.id);
        return h.lastStatus === 302 && h;
      });
      expect(hook.lastError).toBe('redirect not followed');
      expect(typeof arrivals[0].body.text).toBe('string');
      await api('DELETE', `/api/admin/webhooks/${created.body.id}`);
    } finally {
      srv.close();
    }
  });

  it('owner receipts: sealdrop send --notify URL gets its own share’s download, signed with the secret returned once', async () => {
    const port = await freePort([stack.port]);
    const arrivals: Arrival[] = [];
    let secret = '';
    const srv = await receiver(port, () => secret, arrivals);
    try {
      const sent = await runCli(['send', w('a.txt'), '--server', stack.url, '--json', '--notify', `http://127.0.0.1:${port}/mine`]);
      expect(sent.code, show(sent)).toBe(0);
      const out = JSON.parse(sent.stdout);
      expect(out.notify.secret).toMatch(/^whsec_/);
      secret = out.notify.secret;
      const got = await runCli(['receive', out.url, '-o', w('out-receipt')]);
      expect(got.code, show(got)).toBe(0);
      const dl = await until('the receipt', async () => arrivals.find((a) => a.event === 'download'));
      expect(dl.signatureOk).toBe(true);
      expect(dl.body.shareId).toBe(out.id);
      // Only this share's events, and never an admin's doings.
      expect(arrivals.every((a) => a.body.shareId === out.id && a.event !== 'admin')).toBe(true);
      // The secret is returned once.
      const again = await fetch(`${stack.url}/api/shares/${out.id}/notify`, {
        method: 'POST',
        headers: { Authorization: `Owner ${out.ownerToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: `http://127.0.0.1:${port}/other` }),
      });
      expect(again.status).toBe(409);
      // A URL the worker will not fetch: the share is sent, the receipt refused, exit 1 saying so.
      const refused = await runCli(['send', w('a.txt'), '--server', stack.url, '--notify', 'https://169.254.169.254/x']);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('/s/');
      expect(refused.stderr).toContain('--notify was refused');
    } finally {
      srv.close();
    }
  });
});
