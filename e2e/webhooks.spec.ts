// The dashboard's webhook page against the real stack and a loopback receiver:
// register an endpoint (the secret is shown once), see its deliveries arrive,
// redeliver one.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { adminTokenFromDevVars, baseUrl } from './helpers/admin-seed.ts';
import { fetchShareInNode, sendViaUi } from './helpers/send-ui.ts';

test('register a webhook, see its deliveries, redeliver one', async ({ page }) => {
  const got: { delivery: string; event: string }[] = [];
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      got.push({ delivery: String(req.headers['sealdrop-delivery']), event: String(req.headers['sealdrop-event']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/e2e-hook`;
  try {
    await page.goto('/admin');
    await page.getByLabel('Admin token').fill(adminTokenFromDevVars());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Endpoint URL').fill(url);
    await page.getByLabel('Format').selectOption('json');
    await page.getByLabel('All events').check();
    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const secret = page.getByLabel('Signing secret');
    await expect(secret).toHaveValue(/^whsec_/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect(page.getByLabel('Signing secret')).toHaveCount(0);

    // Admin calls are events too: the dashboard's own requests are delivered.
    await fetch(`${baseUrl()}/api/admin/stats`, { headers: { Authorization: `Bearer ${adminTokenFromDevVars()}` } });
    await expect.poll(() => got.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const endpoint = page.getByRole('article', { name: `Endpoint ${url}` });
    await endpoint.getByRole('button', { name: 'Show deliveries' }).click();
    const first = got[0].delivery;
    const row = endpoint.locator(`tr[data-delivery-id="${first}"]`);
    await expect(row).toContainText('Delivered', { timeout: 15_000 });
    await row.getByRole('button', { name: `Redeliver delivery ${first}` }).click();
    await expect(endpoint.getByRole('status')).toContainText(`Delivery ${first} queued again.`);
    await expect.poll(() => got.filter((g) => g.delivery === first).length, { timeout: 30_000 }).toBe(2);

    await endpoint.getByRole('button', { name: `Remove endpoint ${url}` }).click();
    await expect(page.getByRole('article', { name: `Endpoint ${url}` })).toHaveCount(0);
  } finally {
    srv.close();
  }
});

test('register a webhook with a label filter, shown on its card', async ({ page }) => {
  const url = 'http://127.0.0.1:9/e2e-labelled';
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(adminTokenFromDevVars());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByLabel('Endpoint URL').fill(url);
  await page.getByLabel('Only shares labelled (key:value)').fill('partner:acme, Not A Label');
  await page.getByRole('button', { name: 'Register endpoint' }).click();
  await expect(page.getByRole('alert')).toContainText('labels');
  await expect(page.getByRole('article', { name: `Endpoint ${url}` })).toHaveCount(0);
  await page.getByLabel('Only shares labelled (key:value)').fill('partner:acme partner:initech');
  await page.getByRole('button', { name: 'Register endpoint' }).click();
  await page.getByRole('button', { name: 'I have saved it' }).click();
  const endpoint = page.getByRole('article', { name: `Endpoint ${url}` });
  await expect(endpoint).toContainText('only shares labelled partner:acme or partner:initech');
  await endpoint.getByRole('button', { name: `Remove endpoint ${url}` }).click();
  await expect(endpoint).toHaveCount(0);
});

test('the sender asks for receipts on the done screen and is told of the download', async ({ page }) => {
  const got: { event: string; shareId: string }[] = [];
  const srv = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      got.push({ event: String(req.headers['sealdrop-event']), shareId: JSON.parse(raw).shareId });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const link = await sendViaUi(page, [{ name: 'receipt.txt', bytes: new TextEncoder().encode('receipts e2e') }]);
    await page.getByLabel('Notify a URL of downloads (optional)').fill(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/me`);
    await page.getByRole('button', { name: 'Notify me' }).click();
    await expect(page.getByLabel('Notification signing secret')).toHaveValue(/^whsec_/);
    await fetchShareInNode(baseUrl(), link);
    const id = new URL(link).pathname.split('/').pop();
    await expect.poll(() => got.filter((g) => g.event === 'download' && g.shareId === id).length, { timeout: 30_000 }).toBe(1);
  } finally {
    srv.close();
  }
});

test('the sender asks for receipts in the send page options: the secret is on the done screen and the download arrives signed with it', async ({ page }) => {
  const got: { event: string; shareId: string; raw: string; signature: string }[] = [];
  const srv = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      got.push({ event: String(req.headers['sealdrop-event']), shareId: JSON.parse(raw).shareId, raw, signature: String(req.headers['sealdrop-signature']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const hook = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/from-options`;
  try {
    // A URL that is not one is refused before anything is sent.
    await page.goto('/');
    await page.getByTestId('send-files-input').setInputFiles({ name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
    await page.getByLabel('Notify a URL of downloads (optional)').fill('hooks.example.com/me');
    await page.locator('.send-button').click();
    await expect(page.getByText('The URL to notify is not a valid URL (https://…).')).toBeVisible();
    await expect(page.locator('#send-link')).toHaveCount(0);
    await page.reload();

    const link = await sendViaUi(page, [{ name: 'options-receipt.txt', bytes: new TextEncoder().encode('receipts from the options') }], { notify: hook });
    // Registered by the upload itself: no second step on the done screen.
    const secret = await page.getByLabel('Notification signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByRole('status').filter({ hasText: `will be posted to ${hook}` })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Notify me' })).toHaveCount(0);

    await fetchShareInNode(baseUrl(), link);
    const id = new URL(link).pathname.split('/').pop();
    await expect.poll(() => got.filter((g) => g.event === 'download' && g.shareId === id).length, { timeout: 30_000 }).toBe(1);
    const d = got.find((g) => g.event === 'download' && g.shareId === id)!;
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(d.signature) ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${d.raw}`).digest('hex'));
    expect(d.raw).not.toContain(new URL(link).hash.slice(1));
  } finally {
    srv.close();
  }
});
