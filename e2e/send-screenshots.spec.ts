// Screenshots of the send page and the link, light and dark.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { screenshots, useTempDir } from './helpers/send-page.ts';

useTempDir();

// Saved as test artifacts; copied to docs/screenshots with UPDATE_SCREENSHOTS=1.
test('screenshots of the send page and the link, light and dark', async ({ page }, testInfo) => {
  const dir = process.env.UPDATE_SCREENSHOTS ? screenshots : testInfo.outputPath('screenshots');
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize({ width: 1000, height: 900 });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    const files = [
      { name: 'holiday-photos.zip', bytes: randomBytes(300_000) },
      // Latin non-ASCII: this machine has no CJK font, and tofu would say nothing.
      { name: 'Über den Fluß – résumé.txt', bytes: new TextEncoder().encode('hello') },
    ];
    await page.getByTestId('send-files-input').setInputFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream', buffer: Buffer.from(f.bytes) })));
    await expect(page.locator('.send-file-list li')).toHaveCount(2);
    await page.screenshot({ path: path.join(dir, `send-${scheme}.png`), fullPage: true });
    await page.locator('.send-button').click();
    await expect(page.locator('#send-link')).toBeVisible({ timeout: 60_000 });
    // The QR code is drawn just after the link shows.
    await expect(page.getByRole('img', { name: /QR code of the link/ })).toBeVisible();
    await page.screenshot({ path: path.join(dir, `link-${scheme}.png`), fullPage: true });
  }
});
