import { expect, test } from '@playwright/test';

// DESIGN.md "Security posture": pages and assets carry the same headers as the API.
const EXPECTED: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; style-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

for (const path of ['/', '/s/AAAAAAAAAAAAAAAAAAAAAA', '/admin', '/links']) {
  test(`security headers on ${path}`, async ({ page }) => {
    const res = await page.goto(path);
    expect(res?.status()).toBe(200);
    const headers = res!.headers();
    for (const [name, value] of Object.entries(EXPECTED)) expect(headers[name], name).toBe(value);
    expect(headers['permissions-policy']).toContain('camera=()');
    expect(headers['strict-transport-security']).toContain('max-age=');
  });
}

test('the script bundle carries the headers too', async ({ page }) => {
  const scripts: Record<string, string>[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('.js')) scripts.push(r.headers());
  });
  await page.goto('/');
  await expect.poll(() => scripts.length).toBeGreaterThan(0);
  expect(scripts[0]['x-content-type-options']).toBe('nosniff');
  expect(scripts[0]['content-security-policy']).toBe(EXPECTED['content-security-policy']);
});

test('the published asset hashes match what the server delivers', async ({ request }) => {
  const list = await request.get('/asset-hashes.txt');
  expect(list.status()).toBe(200);
  const lines = (await list.text()).trim().split('\n');
  expect(lines.some((l) => l.endsWith('  index.html'))).toBe(true);
  expect(lines.some((l) => l.endsWith('  dl/sw.js'))).toBe(true);
  const { createHash } = await import('node:crypto');
  for (const line of lines) {
    const [hash, file] = line.split('  ');
    // Every entry is served at the path it is listed under: no redirect (/index.html).
    const res = await request.get(`/${file}`, { maxRedirects: 0 });
    expect(res.status(), file).toBe(200);
    expect(createHash('sha256').update(await res.body()).digest('hex'), file).toBe(hash);
  }
});
