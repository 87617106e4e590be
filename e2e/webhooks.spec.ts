// The dashboard's webhook page against the real stack and a loopback receiver:
// register an endpoint (the secret is shown once), see its deliveries arrive,
// redeliver one.
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
