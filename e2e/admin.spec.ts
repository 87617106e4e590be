// The admin dashboard against the real local stack: sign in, find a share, read its
// log, export it, manage API tokens, revoke one share and then all of them.
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { SealdropClient, ApiError } from '@sealdrop/shared';
import { signInAsAdmin } from './helpers/admin-ui.ts';
import { adminTokenFromDevVars, baseUrl, downloadThroughApi, recipientStatus, reportShare, saveToDocs, seedShareForAdmin } from './helpers/admin-seed.ts';

const FORMULA_UA = '=HYPERLINK("http://evil.example/","click") e2e-admin';

/** The table row of a share, found the way a person would: by its short id. */
function shareRow(page: Page, id: string) {
  return page.getByRole('row').filter({ has: page.getByRole('link', { name: new RegExp(`^${id.slice(0, 8)}`) }) });
}

test.describe.configure({ mode: 'serial' });

test('sign in, find a share, its create and download log rows, CSV export', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'report.pdf', data: 'admin e2e '.repeat(100) }], maxDownloads: 3 });
  await downloadThroughApi(share, FORMULA_UA);
  const REASON = 'Phishing kit <img src=x onerror="document.title=1"> inside';
  expect(await reportShare(share.id, REASON)).toBe(202);

  // A wrong token first: the dashboard says so and keeps nothing.
  await page.goto('/admin');
  const tokenField = page.getByLabel('Admin token');
  await expect(tokenField).toHaveAttribute('type', 'password');
  await tokenField.fill('not-the-admin-token-' + Date.now());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not valid' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('sealdrop.adminToken'))).toBeNull();

  await tokenField.fill(adminTokenFromDevVars());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByText('Active shares')).toBeVisible();
  await expect(page.getByText('Downloads in 24 h')).toBeVisible();

  // The share is in the table with its numbers.
  const row = shareRow(page, share.id);
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1 / 3');
  await expect(row).toContainText('Active');
  await expect(row.getByRole('cell').nth(4)).toHaveText('No'); // no password
  await expect(row.getByRole('cell').last()).toHaveText('1'); // one report

  // Its detail: the create and download rows of its log, the user agent as plain text.
  await row.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/admin/shares/${share.id}$`));
  await expect(page.getByRole('heading', { name: `Share ${share.id}` })).toBeVisible();
  const log = page.getByRole('region', { name: `Access log of share ${share.id}` });
  await expect(log.getByRole('cell', { name: 'Created' })).toBeVisible();
  await expect(log.getByRole('cell', { name: 'Download', exact: true })).toBeVisible();
  await expect(log.getByText(FORMULA_UA)).toBeVisible();
  // Attacker-controlled text is shown as text, never as markup.
  await expect(page.getByText(REASON)).toBeVisible();
  await expect(page.locator('main img')).toHaveCount(0);

  // Export the log of this share as CSV and check the file the browser saved.
  await page.getByRole('link', { name: 'Access log' }).click();
  await page.getByLabel('Share (optional)').fill(share.id);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Access log' }).getByText(FORMULA_UA).first()).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^sealdrop-log-.*\.csv$/);
  const csv = await readFile((await download.path())!, 'utf8');
  const lines = csv.split(/\r?\n/).filter(Boolean);
  expect(lines[0].toLowerCase()).toContain('event');
  expect(lines[0]).not.toContain(share.id);
  expect(csv).toContain(share.id);
  // Formula injection: the user agent that starts with "=" is exported with a leading '.
  expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/"",""click"") e2e-admin"`);
  expect(csv).not.toMatch(/(^|,)"=HYPERLINK/m);
  await expect(page.getByRole('status').filter({ hasText: 'Saved the log as CSV' })).toBeVisible();

  // JSON Lines too: one JSON object per line, the share in it.
  const [jl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON Lines' }).click()]);
  const jsonl = (await readFile((await jl.path())!, 'utf8')).split('\n').filter(Boolean);
  expect(jsonl.length).toBeGreaterThanOrEqual(2);
  expect(jsonl.map((l) => JSON.parse(l).shareId ?? JSON.parse(l).share_id)).toContain(share.id);

  // Sign out forgets the token.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Admin token')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('sealdrop.adminToken'))).toBeNull();
});

test('create an API token (shown once), revoke it, and it stops working', async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.getByRole('link', { name: 'API tokens' }).click();
  const label = `e2e token ${Date.now()}`;
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Scope').selectOption('admin');
  await page.getByLabel('Expires after').selectOption({ label: '1 day' });
  await page.getByRole('button', { name: 'Create token' }).click();

  await expect(page.getByText('Copy this token now. It will not be shown again')).toBeVisible();
  const secret = await page.getByLabel('Token', { exact: true }).inputValue();
  expect(secret.length).toBeGreaterThan(20);
  // It works: an admin call with it succeeds.
  const client = new SealdropClient(baseUrl());
  await expect(client.admin(secret).stats()).resolves.toHaveProperty('activeShares');
  // A second admin signs in with the new token in another browser.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signInAsAdmin(otherPage, secret);

  const row = page.getByRole('row').filter({ hasText: label });
  await expect(row).toContainText('Active');
  await row.getByRole('button', { name: /Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this token?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Revoke token' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('Revoked');
  // The secret is gone from the page once revoked.
  await expect(page.getByText('Copy this token now. It will not be shown again')).toBeHidden();

  // Using it now fails.
  const err = await client.admin(secret).stats().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect([401, 403]).toContain((err as ApiError).status);
  // The other admin's dashboard says so on its next request, and offers to sign in again.
  await otherPage.getByRole('link', { name: 'API tokens' }).click();
  await expect(otherPage.getByRole('alert').filter({ hasText: 'no longer accepts this admin token' }).first()).toBeVisible();
  await otherPage.getByRole('button', { name: 'Sign in again' }).first().click();
  await expect(otherPage.getByLabel('Admin token')).toBeVisible();
  await other.close();
  // And after a reload the list still shows it revoked, with no secret anywhere.
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: label })).toContainText('Revoked');
  await expect(page.getByText(secret)).toHaveCount(0);
});

test('revoking a share from its detail page ends it for the recipient', async ({ page, browser }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'a.txt', data: 'to be revoked' }] });
  expect((await recipientStatus(share.id)).status).toBe(200);
  await signInAsAdmin(page);
  await page.goto(`/admin/shares/${share.id}`);
  await page.getByRole('button', { name: 'Revoke this share…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this share?' });
  // Cancel is focused first, so Enter does not destroy anything by accident.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Revoke share' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Share revoked' })).toBeVisible();
  await expect(page.locator('.facts')).toContainText('Revoked');
  await expect(page.getByRole('button', { name: 'Revoke this share…' })).toBeDisabled();

  expect(await recipientStatus(share.id)).toEqual({ status: 410, code: 'revoked' });
  const recipient = await browser.newContext();
  const r = await recipient.newPage();
  await r.goto(share.url);
  // What the receive page (src/receive/messages.ts) says for a revoked share.
  await expect(r.getByRole('heading', { name: 'This link was withdrawn' })).toBeVisible();
  await expect(r.getByRole('alert')).toContainText('revoked this link');
  await recipient.close();
});

test('an expired share reads Expired on the dashboard, and the recipient is told it expired', async ({ page, browser }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'short.txt', data: 'short-lived' }], expiresIn: 2 });
  await expect.poll(async () => (await recipientStatus(share.id)).code, { timeout: 15_000 }).toBe('expired');
  await signInAsAdmin(page);
  await expect(shareRow(page, share.id)).toContainText('Expired');
  await page.getByLabel('Status').selectOption('expired');
  await expect(shareRow(page, share.id)).toContainText('Expired');
  await shareRow(page, share.id).getByRole('link').click();
  await expect(page.locator('.facts')).toContainText('Expired');
  await expect(page.getByRole('button', { name: 'Revoke this share…' })).toBeDisabled();

  const recipient = await browser.newContext();
  const r = await recipient.newPage();
  await r.goto(share.url);
  await expect(r.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await recipient.close();
});

test('dashboard screenshots, light and dark', async ({ page }, testInfo) => {
  const a = await seedShareForAdmin({ files: [{ name: 'x.bin', data: new Uint8Array(300_000) }], maxDownloads: 10, password: 'correct horse battery staple' });
  await seedShareForAdmin({ files: [{ name: 'y.txt', data: 'hello' }, { name: 'z.txt', data: 'world' }], maxDownloads: 1 });
  await seedShareForAdmin({ files: [{ name: 'w.txt', data: 'w'.repeat(5000) }], maxDownloads: 2, expiresIn: 7 * 24 * 3600 });
  await downloadThroughApi(a, 'Mozilla/5.0 (X11; Linux x86_64) e2e');
  await page.setViewportSize({ width: 1200, height: 900 });
  await signInAsAdmin(page);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.getByRole('table')).toBeVisible();
    const file = testInfo.outputPath(`admin-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`admin-${scheme}`, { path: file, contentType: 'image/png' });
    await saveToDocs(file, `admin-${scheme}.png`);
  }
  // 360 px: no view overflows the page; wide tables scroll inside their own box.
  const admin = new SealdropClient(baseUrl()).admin(adminTokenFromDevVars());
  const token = await admin.createToken({ label: 'narrow screen check', scope: 'upload', expiresIn: 3600 });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
  for (const [path, ready] of [
    ['/admin', 'Revoke all shares…'],
    [`/admin/shares/${a.id}`, 'Revoke this share…'],
    ['/admin/log', 'Export CSV'],
    ['/admin/tokens', 'Create token'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('button', { name: ready })).toBeVisible();
    await expect(page.getByRole('table')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `horizontal overflow on ${path} at 360 px`).toBeLessThanOrEqual(0);
  }
  await admin.deleteToken(token.id);
});

test('revoking a leaked upload token can take the shares it created with it', async ({ page }) => {
  const admin = new SealdropClient(baseUrl()).admin(adminTokenFromDevVars());
  const label = `leaked pipeline ${Date.now()}`;
  const token = await admin.createToken({ label, scope: 'upload', expiresIn: 3600 });
  const leaked = await seedShareForAdmin({ files: [{ name: 'build.zip', data: 'from the pipeline' }], uploadToken: token.token });
  const untouched = await seedShareForAdmin({ files: [{ name: 'other.txt', data: 'someone else' }] });

  await signInAsAdmin(page);
  await page.getByRole('link', { name: 'API tokens' }).click();
  const row = page.getByRole('row').filter({ hasText: label });
  await row.getByRole('button', { name: /Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this token?' });
  const also = dialog.getByLabel('Also revoke every live share this token created (for a leaked token)');
  await expect(also).not.toBeChecked();
  await also.check();
  await dialog.getByRole('button', { name: 'Revoke token' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Token “${label}” revoked, and 1 share it created.` })).toBeVisible();
  await expect(row).toContainText('Revoked');

  // The share it created is revoked (its recipients get "revoked"); the other is not.
  expect((await admin.share(leaked.id)).status).toBe('revoked');
  expect((await admin.share(untouched.id)).status).toBe('ready');
  await page.goto(`/admin/shares/${leaked.id}`);
  await expect(page.getByText('Revoked', { exact: false }).first()).toBeVisible();
});

test('shares table: filter by status, sort this page, page with the cursor', async ({ page }) => {
  // More shares than one page of 10 holds, so the cursor is used (seeding only what is missing).
  const admin = new SealdropClient(baseUrl()).admin(adminTokenFromDevVars());
  const have = (await admin.shares({ limit: 12 })).shares.length;
  for (let i = have; i < 12; i++) await seedShareForAdmin({ files: [{ name: `p${i}.txt`, data: 'x'.repeat(i * 40) }], maxDownloads: 1 + (i % 3) });
  const toRevoke = await seedShareForAdmin({ files: [{ name: 'r.txt', data: 'revoked' }] });
  await admin.revoke(toRevoke.id);
  await signInAsAdmin(page);
  await page.getByLabel('Rows per page').selectOption('10');
  const table = page.getByRole('table');
  const ids = async () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-share-id')));
  await expect(table.locator('tbody tr')).toHaveCount(10);
  const first = await ids();

  // Sort by size on this page: aria-sort tells assistive technology, the rows follow.
  const sizeHeader = page.getByRole('columnheader', { name: /Size/ });
  await sizeHeader.getByRole('button').click();
  await expect(sizeHeader).toHaveAttribute('aria-sort', 'ascending');
  const sizes = async () =>
    table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[2].getAttribute('title')!.split(' ')[0].replace(/[^0-9]/g, ''))));
  const asc = await sizes();
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  await sizeHeader.getByRole('button').click();
  await expect(sizeHeader).toHaveAttribute('aria-sort', 'descending');
  const desc = await sizes();
  expect(desc).toEqual([...desc].sort((a, b) => b - a));

  // Next loads the following page from the server; Previous comes back.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  await expect.poll(async () => (await ids()).some((id) => first.includes(id))).toBe(false);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expect(page.getByText('Page 1', { exact: true })).toBeVisible();
  await expect.poll(async () => new Set(await ids())).toEqual(new Set(first));

  // Filter by status on the server: only revoked shares.
  await page.getByLabel('Status').selectOption('revoked');
  await expect(page.getByText('Page 1', { exact: true })).toBeVisible();
  await expect(table.locator('tbody tr').first()).toBeVisible();
  await expect.poll(async () => new Set(await table.locator('tbody tr .badge').allTextContents())).toEqual(new Set(['Revoked']));
});

test('keyboard only: sign in, open a share, a dialog that Escape closes and gives focus back', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'k.txt', data: 'keyboard' }] });
  await page.goto('/admin');
  await page.getByLabel('Admin token').focus();
  await page.keyboard.type(adminTokenFromDevVars());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  // Tab to the share's link and follow it with Enter.
  const link = shareRow(page, share.id).getByRole('link');
  for (let i = 0; i < 60 && !(await link.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(link).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: `Share ${share.id}` })).toBeVisible();
  const revoke = page.getByRole('button', { name: 'Revoke this share…' });
  await revoke.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Revoke this share?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(revoke).toBeFocused();
  expect((await recipientStatus(share.id)).status).toBe(200);
});

test('kill switch: revoke all needs the phrase and the token again, then every live share answers 410', async ({ page }) => {
  const shares = [
    await seedShareForAdmin({ files: [{ name: 'one.txt', data: 'one' }] }),
    await seedShareForAdmin({ files: [{ name: 'two.txt', data: 'two' }] }),
  ];
  for (const s of shares) expect((await recipientStatus(s.id)).status).toBe(200);
  await signInAsAdmin(page);
  await page.getByRole('button', { name: 'Revoke all shares…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke all shares?' });
  const confirm = dialog.getByRole('button', { name: 'Revoke all shares' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type REVOKE ALL to confirm').fill('revoke all');
  await dialog.getByLabel('Admin token, again').fill(adminTokenFromDevVars());
  await expect(confirm).toBeDisabled(); // the phrase must match exactly
  await dialog.getByLabel('Type REVOKE ALL to confirm').fill('REVOKE ALL');
  await dialog.getByLabel('Admin token, again').fill('wrong-token');
  await confirm.click();
  await expect(dialog.getByRole('alert')).toContainText('not valid');
  for (const s of shares) expect((await recipientStatus(s.id)).status).toBe(200);

  await dialog.getByLabel('Admin token, again').fill(adminTokenFromDevVars());
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: /Revoked \d+ shares?/ })).toBeVisible();
  for (const s of shares) expect(await recipientStatus(s.id)).toEqual({ status: 410, code: 'revoked' });
  await expect(page.locator('.admin-stats')).toContainText(/Active shares\s*0/);
});
