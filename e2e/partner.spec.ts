// Partner access in the browser: an admin issues a partner download token on the
// dashboard, a share requires it, the recipient page asks for it once (kept for
// the tab), the access report shows who can open what, and a revoke ends it.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { expect as baseExpect, test } from '@playwright/test';
import { SealdropClient } from '@sealdrop/shared';
import { signInAsAdmin } from './helpers/admin-ui.ts';
import { adminToken, e2eBase, seedShare } from './helpers/seed.ts';

const expect = baseExpect.configure({ timeout: 20_000 });
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test.describe.configure({ mode: 'serial' });

test('issue a partner token, open a share that requires it, see it in the access report, revoke it', async ({ browser }) => {
  const partner = `partner:e2e${Date.now().toString(36)}`;
  const adminCtx = await browser.newContext({ acceptDownloads: true });
  const admin = await adminCtx.newPage();
  await signInAsAdmin(admin);

  // The dashboard issues the token; it is shown once.
  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'API tokens' }).click();
  await admin.getByLabel('Label', { exact: true }).fill('Acme Corp');
  await admin.getByLabel('Scope').selectOption('download');
  await admin.getByLabel('Tags (key:value)').fill(partner);
  await admin.getByRole('button', { name: 'Create token' }).click();
  await expect(admin.getByRole('heading', { name: 'New download token “Acme Corp”' })).toBeVisible();
  const token = await admin.getByRole('textbox', { name: 'Token', exact: true }).inputValue();
  expect(token).toMatch(/^sdd_/);

  const bytes = new TextEncoder().encode('partner artifact '.repeat(500));
  const share = await seedShare({ files: [{ name: 'artifact.txt', bytes }], requireLabel: partner, maxDownloads: 3 });

  // The recipient: the link alone is not enough; the page asks for the token.
  const ctx = await browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(share.url);
  await expect(page.getByRole('heading', { name: 'This link needs your partner token' })).toBeVisible();
  const field = page.getByRole('textbox', { name: 'Partner token', exact: true });
  await expect(field).toBeFocused();
  await field.fill('sdd_this-is-not-the-right-token-000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('refused this partner token');
  expect(await page.evaluate(() => sessionStorage.getItem('sealdrop.partnerToken'))).toBeNull();

  await field.fill(token);
  await page.getByRole('button', { name: 'Continue' }).click();
  const fileRow = page.getByTestId('file-row').filter({ hasText: 'artifact' });
  await expect(fileRow).toBeVisible();
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByRole('button', { name: 'Download artifact.txt', exact: true }).click(),
  ]);
  expect(await d.failure()).toBeNull();
  expect(sha256(readFileSync((await d.path())!))).toBe(sha256(bytes));
  await expect(fileRow.getByText('SHA-256 verified')).toBeVisible();

  // Kept for the tab: a second share for the same partner opens without asking again.
  const second = await seedShare({ files: [{ name: 'second.txt', bytes: new TextEncoder().encode('two') }], requireLabel: partner });
  await page.goto(second.url);
  await expect(page.getByTestId('file-row').filter({ hasText: 'second' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('sealdrop.partnerToken'))).toBe(token);

  // The access report page lists both shares for the token, with the download counted.
  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Partner access' }).click();
  await admin.getByRole('textbox', { name: 'Label', exact: true }).fill(partner);
  await admin.getByRole('button', { name: 'Show' }).click();
  const region = admin.getByRole('region', { name: 'Shares partner token Acme Corp can open' });
  await expect(region.getByRole('row')).toHaveCount(3);
  await expect(region.getByRole('row').filter({ hasText: share.id.slice(0, 8) })).toContainText('1 / 3');
  await expect(region.getByRole('row').filter({ hasText: second.id.slice(0, 8) })).toContainText('0 / 5'); // opened (its file list), not downloaded
  const [csv] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: 'Export CSV' }).click()]);
  const text = readFileSync((await csv.path())!, 'utf8');
  expect(text).toContain(share.id);
  expect(text).toContain(second.id);

  // Revoke on the tokens page: the partner's next request is refused, and the page asks again.
  const api = new SealdropClient(e2eBase()).admin(adminToken());
  const tok = (await api.tokens()).tokens.find((t) => t.label === 'Acme Corp' && t.labels?.includes(partner))!;
  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'API tokens' }).click();
  await admin.locator(`tr[data-token-id="${tok.id}"]`).getByRole('button', { name: /Revoke/ }).click();
  await admin.getByRole('button', { name: 'Revoke token', exact: true }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Token “Acme Corp” revoked.' })).toBeVisible();

  await page.goto(share.url);
  await expect(page.getByRole('heading', { name: 'This link needs your partner token' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('refused this partner token');
  await admin.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Partner access' }).click();
  await admin.getByRole('textbox', { name: 'Label', exact: true }).fill(partner);
  await admin.getByRole('button', { name: 'Show' }).click();
  await expect(admin.getByText(`No live partner tokens with ${partner}.`)).toBeVisible();
  await ctx.close();
  await adminCtx.close();
});

test('the send page\'s "Require a partner token with label" makes a share whose recipient is asked for the token', async ({ page, browser }) => {
  const partner = `partner:send${Date.now().toString(36)}`;
  await page.goto('/');
  await page.getByTestId('send-files-input').setInputFiles({ name: 'for-acme.txt', mimeType: 'text/plain', buffer: Buffer.from('for acme only\n') });
  const requireField = page.getByLabel('Require a partner token with label');
  // A malformed label is refused on the page, before anything is sent.
  await requireField.fill('acme corp');
  await page.locator('.send-button').click();
  await expect(page.getByText(/Require a partner token with label: must be key:value/)).toBeVisible();
  await expect(page.locator('#send-link')).toHaveCount(0);

  await requireField.fill(partner);
  await page.getByLabel('Labels').fill('release:2026-12');
  await page.locator('.send-button').click();
  await expect(page.locator('#send-link')).toBeVisible({ timeout: 120_000 });
  const link = await page.locator('#send-link').inputValue();
  const id = new URL(link).pathname.split('/').pop()!;
  const detail = await new SealdropClient(e2eBase()).admin(adminToken()).share(id);
  expect(detail.requireLabel).toBe(partner);
  expect(detail.labels).toContain('release:2026-12');

  const ctx = await browser.newContext();
  const recipient = await ctx.newPage();
  await recipient.goto(link);
  await expect(recipient.getByRole('heading', { name: 'This link needs your partner token' })).toBeVisible();
  await ctx.close();
});
