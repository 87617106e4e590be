// The dashboard's log integrity panel against the real stack: the sweep seals
// the log, the panel shows the last signed checkpoint, and the chain checked in
// the browser is intact (tampering is covered by the worker and CLI tests).
import { expect, test } from '@playwright/test';
import { adminTokenFromDevVars, baseUrl } from './helpers/admin-seed.ts';

test('the access log page shows the chain state and verifies the chain', async ({ page }) => {
  // Rows to seal, then the cron sweep (wrangler dev --test-scheduled).
  for (let i = 0; i < 3; i++) await fetch(`${baseUrl()}/api/admin/stats`, { headers: { Authorization: `Bearer ${adminTokenFromDevVars()}` } });
  expect((await fetch(`${baseUrl()}/__scheduled`)).ok).toBe(true);
  const status = await (await fetch(`${baseUrl()}/api/admin/log/status`, { headers: { Authorization: `Bearer ${adminTokenFromDevVars()}` } })).json();
  expect(status.lastCheckpoint).not.toBeNull();

  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(adminTokenFromDevVars());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Access log' }).click();
  const panel = page.getByRole('region', { name: 'Log integrity' });
  await expect(panel).toContainText(`#${status.lastCheckpoint.n}`);
  await expect(panel).toContainText(status.lastCheckpoint.head);
  await expect(panel.getByLabel('Log key')).toHaveValue(status.publicKey);
  await panel.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(panel.getByRole('status')).toContainText('chain intact', { timeout: 30_000 });
  // Exactly the key npm start printed and GET /api/log/key serves.
  const key = await (await fetch(`${baseUrl()}/api/log/key`)).json();
  expect(key.publicKey).toBe(status.publicKey);
});
