// Signing in on /admin as a person does: the token, Sign in, then the signed-in view.
// The page keeps the token only once GET /api/admin/stats has answered, so a test that
// navigates before "Sign out" shows can leave the tab signed out (a slow stats answer,
// e.g. late in the suite with a large D1, made one such test fail in CI).
import { expect, type Page } from '@playwright/test';
import { adminToken } from './seed.ts';

export async function signInAsAdmin(page: Page, token = adminToken()): Promise<void> {
  await page.goto('/admin');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}
