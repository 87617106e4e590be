import { expect, test } from '@playwright/test';

test('the page loads without console errors and the API answers', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'Sealdrop home' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const health = await request.get('/api/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ ok: true });
  expect(errors).toEqual([]);
});
