// The send page through network faults: an aborted part, a request that hangs,
// the browser going offline.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { fetchShareInNode, sendViaUi } from './helpers/send-ui.ts';
import { MiB, PART_URL, useTempDir, randomFile, baseURL, recordPuts } from './helpers/send-page.ts';

useTempDir();

test('an aborted part request is retried and the upload completes', async ({ page }) => {
  const p = randomFile('retry.bin', 20 * MiB);
  let aborted = 0;
  await page.route(PART_URL, (route) => {
    if (route.request().method() === 'PUT' && aborted === 0) {
      aborted++;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const puts = recordPuts(page);
  const link = await sendViaUi(page, [{ path: p }]);
  expect(aborted).toBe(1);
  // Two parts, the aborted one sent again (a loaded machine may add a retry of its own).
  expect(puts.length, puts.join(' ')).toBeGreaterThanOrEqual(3);
  expect(new Set(puts)).toEqual(new Set(['0:0', '0:1']));
  const share = await fetchShareInNode(baseURL(), link);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
});

test('a part request that hangs is given up after 45 s without progress and sent again', async ({ page }) => {
  test.setTimeout(180_000);
  const p = randomFile('hang.bin', 20 * MiB);
  let held = 0;
  await page.route(PART_URL, (route) => {
    if (route.request().url().endsWith('/parts/1') && held === 0) {
      held++;
      return; // never answered: a half-open connection
    }
    return route.continue();
  });
  const puts = recordPuts(page);
  const link = await sendViaUi(page, [{ path: p }], { timeout: 150_000 });
  expect(held).toBe(1);
  expect(puts.filter((x) => x === '0:1').length).toBeGreaterThanOrEqual(2);
  const share = await fetchShareInNode(baseURL(), link);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
});

test('going offline mid-upload waits, then continues when the connection is back', async ({ page, context }) => {
  const p = randomFile('offline.bin', 40 * MiB);
  await page.goto('/');
  const part0 = page.waitForResponse((r) => PART_URL.test(r.url()) && r.ok());
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.locator('.send-button').click();
  await part0;
  await context.setOffline(true);
  await expect(page.locator('.send-progress')).toContainText(/offline|connection dropped/, { timeout: 30_000 });
  await page.waitForTimeout(3000);
  await expect(page.locator('#send-link')).toHaveCount(0);
  await context.setOffline(false);
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 120_000 });
  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
});
