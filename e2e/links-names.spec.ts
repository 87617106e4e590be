// "My links" tells links apart by the files' names and a label of the sender's
// choice, both kept in this browser only: a test records every request the
// browser makes and finds neither in any URL, header or body.
import { expect as baseExpect, test, type Request } from '@playwright/test';
import { sendViaUi } from './helpers/send-ui.ts';

const expect = baseExpect.configure({ timeout: 20_000 });

test('names and labels are shown and searchable in My links, and never reach the server', async ({ page }) => {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  // Six-character markers: a shorter one turns up by chance in ciphertext bodies
  // (a 3-character one did, in CI, in a finalize's sealed manifest).
  const NAME_A = 'quarterly-figures-zq7mv4.xlsx';
  const NAME_B = 'holiday-photo-kx3pj8.jpg';
  const NAME_C = 'second-photo-kx3pj8.jpg';
  const LABEL = 'Contract for Alex wq9tb2';

  const a = await sendViaUi(page, [{ name: NAME_A, bytes: new TextEncoder().encode('figures') }]);
  await page.getByLabel(/^Label/).fill(LABEL);
  await page.goto('/');
  const b = await sendViaUi(page, [
    { name: NAME_B, bytes: new TextEncoder().encode('photo') },
    { name: NAME_C, bytes: new TextEncoder().encode('photo 2') },
  ]);
  const idA = new URL(a).pathname.split('/').pop()!;
  const idB = new URL(b).pathname.split('/').pop()!;

  await page.goto('/links');
  const cardA = page.locator(`article[data-share-id="${idA}"]`);
  const cardB = page.locator(`article[data-share-id="${idB}"]`);
  await expect(cardA.getByRole('heading', { level: 2 })).toHaveText(LABEL);
  await expect(cardB.getByRole('heading', { level: 2 })).toHaveText(`${NAME_B} and 1 more`);
  await cardB.getByText('Files', { exact: true }).click();
  await expect(cardB).toContainText(NAME_C);

  // Search by label, by file name, by several words; a miss says so.
  const search = page.getByLabel('Search by label or file name');
  await search.fill('alex');
  await expect(cardA).toBeVisible();
  await expect(cardB).toHaveCount(0);
  await search.fill('kx3pj8 second');
  await expect(cardB).toBeVisible();
  await expect(cardA).toHaveCount(0);
  await search.fill('nothing like this');
  await expect(page.getByText('No link matches.')).toBeVisible();
  await search.fill('');

  // A label added later, from the card; it survives a reload.
  await cardB.getByRole('button', { name: /^Add a label/ }).click();
  await cardB.getByLabel(/^Label/).fill('Photos for Mum kx3pj8');
  await cardB.getByRole('button', { name: 'Done' }).click();
  await expect(cardB.getByRole('heading', { level: 2 })).toHaveText('Photos for Mum kx3pj8');
  await page.reload();
  await expect(cardB.getByRole('heading', { level: 2 })).toHaveText('Photos for Mum kx3pj8');
  await expect(cardA.getByRole('heading', { level: 2 })).toHaveText(LABEL);

  // Nothing of it left the browser: not in a URL, a header or a body (parts included).
  const secrets = [NAME_A, NAME_B, NAME_C, LABEL, 'Photos for Mum', 'zq7mv4', 'wq9tb2'];
  expect(requests.filter((r) => r.url().includes('/api/shares')).length).toBeGreaterThan(6);
  for (const r of requests) {
    const headers = JSON.stringify(await r.allHeaders());
    const body = r.postDataBuffer() ?? Buffer.alloc(0);
    for (const s of secrets) {
      expect(r.url(), `${s} in a URL`).not.toContain(s);
      expect(headers, `${s} in the headers of ${r.url()}`).not.toContain(s);
      expect(body.includes(Buffer.from(s)), `${s} in the body of ${r.method()} ${r.url()}`).toBe(false);
    }
  }
});
