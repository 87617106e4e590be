// Incident response in the browser against the real local stack: the freeze
// banner senders see, the advisory recipients see on a withdrawn link (as plain
// text), revoke by scope with its count first, token hygiene, failed sign-ins.
import { expect, test, type Page } from '@playwright/test';
import { SealdropClient } from '@sealdrop/shared';
import { adminTokenFromDevVars, baseUrl, recipientStatus, seedShareForAdmin } from './helpers/admin-seed.ts';

const adminApi = () => new SealdropClient(baseUrl()).admin(adminTokenFromDevVars());

async function signIn(page: Page) {
  await page.goto('/admin');
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(page.getByLabel('Admin token').or(signOut)).toBeVisible();
  if (await signOut.isVisible()) return; // still signed in in this tab
  await page.getByLabel('Admin token').fill(adminTokenFromDevVars());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

// Whatever happens in a test, the server is not left frozen for the other specs.
test.afterAll(async () => {
  await adminApi().unfreeze();
});

test('freeze from the dashboard: the send page shows the reason, unfreeze removes it', async ({ page }) => {
  const REASON = 'Investigating an incident <b>now</b>, back by 14:00 UTC';
  await signIn(page);
  const panel = page.getByRole('region', { name: 'Freeze' });
  await panel.getByLabel('Reason shown to users').fill(REASON);
  await panel.getByRole('button', { name: 'Freeze' }).click();
  await expect(panel.getByTestId('admin-frozen')).toContainText(REASON);
  await expect(page.locator('.admin-stats').locator('..')).toContainText('Frozen:');

  await page.goto('/');
  const banner = page.getByTestId('freeze-banner');
  await expect(banner).toContainText('Sending is paused on this server');
  await expect(banner).toContainText(`Reason: ${REASON}`);
  await expect(banner.locator('b')).toHaveCount(0); // text, never HTML
  // The server refuses a new share meanwhile, with the same reason.
  const refused = await fetch(`${baseUrl()}/api/shares`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(refused.status).toBeGreaterThanOrEqual(400);

  await page.setViewportSize({ width: 360, height: 740 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 800 });

  await signIn(page);
  await page.getByRole('region', { name: 'Freeze' }).getByRole('button', { name: 'Unfreeze' }).click();
  await expect(page.getByRole('region', { name: 'Freeze' }).getByRole('status')).toContainText('Unfrozen');
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Send files, encrypted' })).toBeVisible();
  await expect(page.getByTestId('freeze-banner')).toHaveCount(0);
});

test('while frozen, a recipient who starts a download is told the reason and no download is used', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'notes.txt', data: 'frozen drill' }], maxDownloads: 2 });
  await adminApi().setFreeze('Scheduled maintenance until 15:00 UTC');
  try {
    await page.goto(share.url);
    await page.getByRole('button', { name: 'Download notes.txt', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Scheduled maintenance until 15:00 UTC' })).toBeVisible();
    expect((await adminApi().share(share.id)).downloadsUsed).toBe(0);
  } finally {
    await adminApi().unfreeze();
  }
});

test('an advisory on a revoked share replaces "withdrawn" on the recipient page, as plain text', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'build.tar.gz', data: 'release 1.4.2' }] });
  const NOTE = 'This build was compromised; use 1.4.3 <img src=x onerror="document.title=1">';
  await signIn(page);
  await page.goto(`/admin/shares/${share.id}`);
  await page.getByRole('button', { name: 'Revoke this share…' }).click();
  await page.getByRole('dialog', { name: 'Revoke this share?' }).getByRole('button', { name: 'Revoke share' }).click();
  const notice = page.getByRole('form', { name: 'Notice for recipients' });
  await notice.getByLabel('Shown instead of “This link was withdrawn”').fill(NOTE);
  await notice.getByRole('button', { name: 'Save notice' }).click();
  await expect(notice.getByRole('status')).toContainText('Saved');
  expect(await recipientStatus(share.id)).toEqual({ status: 410, code: 'revoked' });

  await page.goto(share.url);
  await expect(page.getByRole('heading', { name: 'This link was withdrawn' })).toBeVisible();
  const advisory = page.getByTestId('advisory');
  await expect(advisory).toContainText('Notice from the sender or administrator');
  await expect(advisory.locator('blockquote')).toHaveText(NOTE);
  await expect(advisory.locator('img')).toHaveCount(0);
  expect(await page.title()).not.toBe('1');
  await expect(page.getByText('Ask the sender if you still need them')).toHaveCount(0);
});

test('the sender revokes from My links and leaves a notice the recipient reads', async ({ page }) => {
  const share = await seedShareForAdmin({ files: [{ name: 'draft.docx', data: 'draft' }] });
  await page.goto('/links');
  await page.evaluate(
    ([links]) => localStorage.setItem('sealdrop.myLinks.v1', links),
    [JSON.stringify([{ id: share.id, ownerToken: share.ownerToken, createdAt: new Date().toISOString(), expiresAt: share.expiresAt, maxDownloads: share.maxDownloads, files: 1, hasPassword: false, url: share.url }])],
  );
  await page.reload();
  const card = page.getByRole('article', { name: `Share ${share.id.slice(0, 8)}…` });
  await card.getByRole('button', { name: /^Revoke/ }).click();
  await page.getByRole('dialog', { name: 'Revoke this share?' }).getByRole('button', { name: 'Revoke share' }).click();
  const notice = card.getByRole('form', { name: 'Notice for recipients' });
  await notice.getByLabel('Shown instead of “This link was withdrawn”').fill('Sent the wrong draft; the final one follows');
  await notice.getByRole('button', { name: 'Save notice' }).click();
  await expect(notice.getByRole('status')).toContainText('Saved');
  await page.goto(share.url);
  await expect(page.getByTestId('advisory').locator('blockquote')).toHaveText('Sent the wrong draft; the final one follows');
});

test('revoke by scope: the shares of one upload token, counted before they are revoked', async ({ page }) => {
  const tok = await adminApi().createToken({ label: 'e2e scope', scope: 'upload', expiresIn: 3600 });
  const leaked = await seedShareForAdmin({ files: [{ name: 'a.txt', data: 'a' }], uploadToken: tok.token });
  const bystander = await seedShareForAdmin({ files: [{ name: 'b.txt', data: 'b' }] });
  await signIn(page);
  const panel = page.getByRole('region', { name: 'Revoke by scope' });
  await panel.getByLabel('Scope').selectOption('token');
  await panel.getByLabel('Token id').fill(tok.id);
  await panel.getByLabel('Notice for their recipients (optional)').fill('Leaked CI token; ask for a new link');
  await panel.getByRole('button', { name: 'Count and revoke…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke 1 live share?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('scope-count')).toContainText('1 live share in this scope will be revoked');
  expect((await recipientStatus(leaked.id)).status).toBe(200); // counting changed nothing
  await dialog.getByRole('button', { name: 'Revoke 1 share' }).click();
  await expect(panel.getByRole('status')).toContainText('Revoked 1 share');
  expect(await recipientStatus(leaked.id)).toEqual({ status: 410, code: 'revoked' });
  expect((await recipientStatus(bystander.id)).status).toBe(200);
  await page.goto(leaked.url);
  await expect(page.getByTestId('advisory')).toContainText('Leaked CI token; ask for a new link');

  // Token hygiene: the token shows when it was last used and how many shares it made.
  await page.goto('/admin/tokens');
  const row = page.locator(`tr[data-token-id="${tok.id}"]`);
  await expect(row).toBeVisible();
  const headers = await page.locator('.tokens-table thead th').allTextContents();
  const cells = await row.locator('th, td').allTextContents();
  expect(cells[headers.indexOf('Shares made')]).toBe('1');
  expect(cells[headers.indexOf('Last used')]).not.toBe('Never');
});

test('failed admin sign-ins are counted and shown in the log by default', async ({ page }) => {
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(`wrong-admin-token-${Date.now()}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not valid' })).toBeVisible();
  await page.getByLabel('Admin token').fill(adminTokenFromDevVars());
  await page.getByRole('button', { name: 'Sign in' }).click();
  const stat = page.locator('.admin-stats .stat').filter({ hasText: 'Failed admin sign-ins in 24 h' });
  await expect(stat.locator('dd')).not.toHaveText('0');
  await page.goto('/admin/log');
  await expect(page.getByLabel('Show admin actions')).not.toBeChecked();
  await expect(page.getByRole('cell', { name: 'Failed admin sign-in' }).first()).toBeVisible();
});
