// "My links" against the real local stack: a share saved in this browser shows its
// live status, downloads and log, and can be revoked and forgotten from here.
import { expect, test, type Page } from '@playwright/test';
import { sendViaUi } from './helpers/send-ui.ts';
import { downloadThroughApi, recipientStatus, saveToDocs, seedShareForAdmin, wrongPasswordAttempt, type SeededShare } from './helpers/admin-seed.ts';

const KEY = 'sealdrop.myLinks.v1';

/** What the send page stores with saveMyLink(), injected straight into localStorage. */
async function remember(page: Page, shares: SeededShare[], withUrl: (s: SeededShare) => boolean = () => true) {
  await page.goto('/links');
  await page.evaluate(
    ([key, links]) => localStorage.setItem(key, JSON.stringify(links)),
    [
      KEY,
      shares.map((s) => ({
        id: s.id,
        ownerToken: s.ownerToken,
        createdAt: new Date().toISOString(),
        expiresAt: s.expiresAt,
        maxDownloads: s.maxDownloads,
        files: s.files,
        hasPassword: s.hasPassword,
        ...(withUrl(s) ? { url: s.url } : {}),
      })),
    ] as const,
  );
  await page.reload();
}

function card(page: Page, id: string) {
  return page.locator(`article[data-share-id="${id}"]`);
}

test('empty state explains what appears here', async ({ page }) => {
  await page.goto('/links');
  await expect(page.getByRole('heading', { name: 'My links', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No links yet' })).toBeVisible();
  await expect(page.getByText('downloads are used and left')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Send files' })).toBeVisible();
});

test('a saved share shows its status, downloads, log and link; Revoke works; Forget removes it', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b' }], maxDownloads: 3 });
  const other = await seedShareForAdmin({ files: [{ name: 'c.txt', data: 'c' }], maxDownloads: 1, password: 'two words' });
  await downloadThroughApi(share, 'e2e-links <b>not bold</b>');
  expect(await wrongPasswordAttempt(other)).toBe(403);
  await remember(page, [share, other]);

  const c = card(page, share.id);
  await expect(c).toContainText('Active');
  await expect(c).toContainText('1 of 3 used, 2 left');
  await expect(c).toContainText('Wrong passwords');
  await expect(c).toContainText(/expires in (59|60) minutes?/);
  await expect(c).toContainText('2 files');
  await expect(c.getByLabel('Link')).toHaveValue(share.url);

  // Time to expiry is live: it counts down while the page is open.
  const before = await c.locator('time').first().textContent();
  await expect.poll(async () => c.locator('time').first().textContent(), { timeout: 5000 }).not.toBe(before);

  // The access log: time, event, outcome.
  await c.getByText(/^Access log \(/).click();
  const log = c.getByRole('region', { name: /Access log of/ });
  await expect(log.getByRole('cell', { name: 'Created' })).toBeVisible();
  await expect(log.getByRole('cell', { name: 'Download', exact: true })).toBeVisible();

  const o = card(page, other.id);
  await expect(o).toContainText('0 of 1 used, 1 left');
  await expect(o).toContainText('password protected');
  await expect(o.locator('.facts')).toContainText(/Wrong passwords\s*1/);

  // Revoke, with a confirmation.
  await c.getByRole('button', { name: /^Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this share?' });
  await dialog.getByRole('button', { name: 'Revoke share' }).click();
  await expect(dialog).toBeHidden();
  await expect(c.locator('.badge')).toHaveText('Revoked');
  await expect(c.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
  expect(await recipientStatus(share.id)).toEqual({ status: 410, code: 'revoked' });
  expect((await recipientStatus(other.id)).status).toBe(200);

  // Forget removes it from this device only.
  await c.getByRole('button', { name: /^Forget/ }).click();
  await page.getByRole('dialog', { name: /Forget this share/ }).getByRole('button', { name: 'Forget' }).click();
  await expect(c).toHaveCount(0);
  await expect(o).toBeVisible();
  const stored = await page.evaluate((k) => localStorage.getItem(k), KEY);
  expect(stored).not.toContain(share.id);
  expect(stored).toContain(other.id);
});

test('a link not remembered has no Copy; screenshot', async ({ page }, testInfo) => {
  const share = await seedShareForAdmin({ files: [{ name: 'n.txt', data: 'n' }], maxDownloads: 5 });
  const remembered = await seedShareForAdmin({ files: [{ name: 'm.txt', data: 'm' }], maxDownloads: 2 });
  await downloadThroughApi(remembered, 'Mozilla/5.0 e2e');
  await page.setViewportSize({ width: 1000, height: 900 });
  await remember(page, [share], () => false);
  await expect(card(page, share.id)).toContainText('0 of 5 used');
  await expect(card(page, share.id).getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  await remember(page, [remembered, share], (s) => s.id === remembered.id);
  await expect(card(page, share.id).getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  await expect(card(page, remembered.id).getByLabel('Link')).toHaveValue(remembered.url);
  await expect(card(page, remembered.id)).toContainText('1 of 2 used, 1 left');
  await card(page, remembered.id).getByText(/^Access log \(/).click();
  await page.emulateMedia({ colorScheme: 'light' });
  const file = testInfo.outputPath('links-light.png');
  await page.setViewportSize({ width: 360, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'horizontal overflow at 360 px').toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach('links-light', { path: file, contentType: 'image/png' });
  await saveToDocs(file, 'links-light.png');
});

test('a share sent from the send page appears in My links, with its link only when remembered', async ({ page }) => {
  const remembered = await sendViaUi(page, [{ name: 'remembered.txt', bytes: new TextEncoder().encode('kept') }], { downloads: 2, remember: true });
  const rid = new URL(remembered).pathname.split('/').pop()!;
  await page.goto('/');
  const forgotten = await sendViaUi(page, [{ name: 'not-remembered.txt', bytes: new TextEncoder().encode('not kept') }], { remember: false });
  const fid = new URL(forgotten).pathname.split('/').pop()!;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My links' }).click();
  const r = card(page, rid);
  await expect(r).toContainText('Active');
  await expect(r).toContainText('0 of 2 used, 2 left');
  await expect(r.getByLabel('Link')).toHaveValue(remembered);
  const f = card(page, fid);
  await expect(f).toContainText('Active');
  await expect(f.getByRole('button', { name: /^Copy/ })).toHaveCount(0);
  // The key of a link not remembered is nowhere on this device.
  const stored = await page.evaluate((k) => localStorage.getItem(k), KEY);
  expect(stored).toContain(fid);
  expect(stored).not.toContain(forgotten.split('#')[1]);
});
