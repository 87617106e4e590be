// The send page's "Publish the SHA-256 of each file" option: off by default (the
// browser then sends no hash at all), on: a Slack-format webhook's message names
// the file's SHA-256. Against the real stack and a loopback receiver.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Request } from '@playwright/test';
import { adminTokenFromDevVars, baseUrl } from './helpers/admin-seed.ts';
import { sendViaUi } from './helpers/send-ui.ts';

const LABEL = 'Publish the SHA-256 of each file to the server, so notifications can show them';

test('publishing the SHA-256s is an opt-in of the send page; the Slack message shows them only then', async ({ page }) => {
  const texts: string[] = [];
  const srv = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      texts.push(String(JSON.parse(raw).text));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const admin = { Authorization: `Bearer ${adminTokenFromDevVars()}`, 'Content-Type': 'application/json' };
  const hook = await fetch(`${baseUrl()}/api/admin/webhooks`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/slack`, events: ['finalize'], format: 'slack' }),
  });
  expect(hook.status).toBe(201);
  const hookId = ((await hook.json()) as { id: string }).id;
  const finalizes: Request[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/finalize')) finalizes.push(r);
  });
  const messageOf = async (link: string) => {
    const short = `share ${new URL(link).pathname.split('/').pop()!.slice(0, 4)}…`;
    await expect.poll(() => texts.some((t) => t.includes(short)), { timeout: 30_000 }).toBe(true);
    return texts.find((t) => t.includes(short))!;
  };
  try {
    // Off by default, with what it would publish explained.
    await page.goto('/');
    const box = page.getByLabel(LABEL);
    await expect(box).not.toBeChecked();
    await expect(page.getByText('Off by default: the server then learns no hash of your files.')).toBeVisible();

    const plainBytes = new TextEncoder().encode('not published e2e');
    const plain = await sendViaUi(page, [{ name: 'plain.txt', bytes: plainBytes }]);
    const plainHash = createHash('sha256').update(plainBytes).digest('hex');
    expect(finalizes.at(-1)!.postData()).not.toContain(plainHash);
    const none = await messageOf(plain);
    expect(none).toContain('share finalized');
    expect(none).not.toMatch(/SHA-256|[0-9a-f]{64}/);

    await page.goto('/');
    const bytes = new TextEncoder().encode('published e2e content');
    const hash = createHash('sha256').update(bytes).digest('hex');
    await page.getByTestId('send-files-input').setInputFiles({ name: 'published.txt', mimeType: 'text/plain', buffer: Buffer.from(bytes) });
    await page.getByLabel(LABEL).check();
    await page.locator('.send-button').click();
    const linkField = page.locator('#send-link');
    await expect(linkField).toBeVisible({ timeout: 60_000 });
    const link = await linkField.inputValue();
    expect(JSON.parse(finalizes.at(-1)!.postData()!).sha256).toEqual([hash]);
    const text = await messageOf(link);
    expect(text).toContain(`SHA-256 ${hash}`);
    expect(text).not.toContain(new URL(link).hash.slice(1)); // never the key
    expect(text).not.toContain('published.txt'); // nor the name
  } finally {
    await fetch(`${baseUrl()}/api/admin/webhooks/${hookId}`, { method: 'DELETE', headers: admin });
    srv.close();
  }
});
