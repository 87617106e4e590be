// The send page by keyboard only, and at 360 px wide.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { fetchShareInNode } from './helpers/send-ui.ts';
import { LINK_RE, useTempDir, baseURL, myLinks } from './helpers/send-page.ts';

useTempDir();

test('keyboard only: every control in order, visible focus, send, copy the link', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  const chooser = page.waitForEvent('filechooser');
  const focusedName = () =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : null;
      return (el.getAttribute('aria-label') ?? label ?? el.textContent ?? '').trim();
    });
  const tabTo = async (name: string | RegExp, max = 25) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const n = await focusedName();
      if (typeof name === 'string' ? n === name : name.test(n)) return;
    }
    throw new Error(`never reached ${name} with Tab`);
  };
  await tabTo('Choose files');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await (await chooser).setFiles({ name: 'keyboard.txt', mimeType: 'text/plain', buffer: Buffer.from('typed, not clicked') });
  await expect(page.locator('.send-file-list li')).toHaveCount(1);
  await tabTo('Remove keyboard.txt');
  await tabTo('Link expires after');
  await page.keyboard.press('ArrowUp'); // 1 day -> 1 hour
  await tabTo('Download limit');
  await page.keyboard.press('ArrowDown'); // 1 -> 2 downloads
  await tabTo(/^Password/);
  await tabTo('Suggest one');
  await page.keyboard.press('Enter');
  const password = await page.getByLabel(/^Password/).inputValue();
  expect(password).toMatch(/^[a-z]+(-[a-z]+){4}$/);
  await tabTo('Remember links on this device');
  await tabTo(/^Encrypt and send/);
  await page.keyboard.press('Enter');
  await expect(page.locator('#send-link')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Your link is ready' })).toBeFocused();
  await expect(page.getByText('1 hour', { exact: true })).toBeVisible();
  await expect(page.getByText('up to 2 downloads')).toBeVisible();
  await tabTo('Copy');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  const link = await page.locator('#send-link').inputValue();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  const share = await fetchShareInNode(baseURL(), link, password);
  expect(new TextDecoder().decode(share.files[0])).toBe('typed, not clicked');
});

test('works at 360 px without sideways scrolling; My links keeps the owner token but not the key by default', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/');
  await page.getByTestId('send-files-input').setInputFiles({ name: 'a-rather-long-file-name-for-a-small-phone-screen.pdf', mimeType: 'application/pdf', buffer: randomBytes(1000) });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await expect(page.getByLabel('Remember links on this device')).not.toBeChecked();
  await page.locator('.send-button').click();
  const link = await page.locator('#send-link').inputValue({ timeout: 60_000 });
  expect(link).toMatch(LINK_RE);
  expect(await overflow()).toBeLessThanOrEqual(0);
  const [saved] = await myLinks(page);
  expect(saved.id).toBe(LINK_RE.exec(link)![1]);
  expect(saved.ownerToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(saved.url).toBeUndefined();
  expect(JSON.stringify(await myLinks(page))).not.toContain(link.split('#')[1]);
});
