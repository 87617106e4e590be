// Screenshots of the recipient-key pages for the README (issue 12), light and dark:
// the Keys page with one identity, a request's sender page /r/<id>#<fingerprint>,
// and the Requests page with the request and the share that arrived through it.
// Saved as test artifacts; copied to docs/screenshots with UPDATE_SCREENSHOTS=1.
import { randomBytes } from 'node:crypto';
import { expect as baseExpect, test, type BrowserContext, type Page } from '@playwright/test';
import { saveToDocs } from './helpers/admin-seed.ts';
import { e2eBase } from './helpers/seed.ts';

const expect = baseExpect.configure({ timeout: 20_000 });
const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function shoot(page: Page, name: string): Promise<void> {
  // No error state may end up in the README.
  await expect(page.getByRole('alert')).toHaveCount(0);
  const file = test.info().outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await saveToDocs(file, name);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshots: Keys, request sender page and Requests, ${scheme}`, async ({ browser }) => {
    test.setTimeout(180_000);
    const newPage = async () => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
      contexts.push(ctx);
      return ctx.newPage();
    };

    // Keys: one identity, just created.
    const owner = await newPage();
    await owner.goto(`${e2eBase()}/keys`);
    await owner.getByRole('button', { name: 'Create a key' }).click();
    await expect(owner.getByRole('status').filter({ hasText: /New key .* created/ })).toBeVisible();
    await expect(owner.getByRole('article')).toHaveCount(1);
    await shoot(owner, `keys-${scheme}.png`);

    // A request bound to that key.
    await owner.goto(`${e2eBase()}/requests`);
    await owner.getByRole('button', { name: 'Create request' }).click();
    const url = await owner.getByLabel('Request link').first().inputValue();
    expect(url).toMatch(/\/r\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);

    // The sender's page in another browser, with a file chosen.
    const vendor = await newPage();
    await vendor.goto(url);
    await expect(vendor.getByRole('heading', { level: 1 })).toHaveText('Send files to this request');
    await vendor.getByLabel('Files to send').setInputFiles({ name: 'server-logs-2026-12.tar.gz', mimeType: 'application/octet-stream', buffer: randomBytes(180_000) });
    await shoot(vendor, `request-send-${scheme}.png`);
    await vendor.getByRole('button', { name: 'Encrypt and send' }).click();
    await expect(vendor.getByRole('status').filter({ hasText: /^Sent\./ })).toBeVisible({ timeout: 60_000 });

    // Requests: the request and the share that arrived.
    await owner.getByRole('button', { name: 'Refresh' }).click();
    await expect(owner.getByRole('list', { name: /^Shares sent to request/ }).getByRole('link')).toHaveCount(1);
    await shoot(owner, `requests-${scheme}.png`);
  });
}
