// What a new user tripped over on the recipient page (and its send-side wording),
// against the real local stack: focus after a wrong password, a link pasted into
// an open tab, note-only shares, "Report this link", saving .minisig files, the
// one-time wording, one unit convention, double extensions and ZIP dates.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect as baseExpect, test, type Browser, type BrowserContext, type Download, type Page } from '@playwright/test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from 'hash-wasm';
import { generateLinkSecret } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { adminToken, e2eBase, seedShare } from './helpers/seed.ts';
import { signInAsAdmin } from './helpers/admin-ui.ts';
import { zipEntries } from './helpers/zip.ts';

const expect = baseExpect.configure({ timeout: 20_000 });
const client = () => new SealdropClient(e2eBase());
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const text = (s: string) => new TextEncoder().encode(s);

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function open(browser: Browser, url: string): Promise<Page> {
  const ctx = await browser.newContext({ acceptDownloads: true, timezoneId: 'UTC', viewport: { width: 1000, height: 900 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url);
  return page;
}

async function saved(page: Page, button: string): Promise<{ d: Download; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: button, exact: true }).click()]);
  expect(await d.failure()).toBeNull();
  return { d, bytes: readFileSync((await d.path())!) };
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

test('a wrong password keeps focus in the field, text selected, and the error announced', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'f.txt', bytes: text('focus') }], password: 'the right one' });
  const page = await open(browser, share.url);
  const input = page.getByLabel('Password', { exact: true });
  await input.fill('the wrong one');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong password');
  await expect(input).toBeFocused();
  expect(await input.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, 'the wrong one'.length]);
  // The next keystrokes land in the field and replace the wrong password.
  await page.keyboard.type('the right one');
  await page.keyboard.press('Enter');
  await expect(h1(page)).toHaveText('A file was shared with you');
});

test('a link pasted into the tab after a reload is picked up (hashchange), then cleared from the address bar', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'paste.txt', bytes: text('pasted') }] });
  const page = await open(browser, share.url);
  await expect(h1(page)).toHaveText('A file was shared with you');
  await page.reload();
  await expect(h1(page)).toHaveText('The key is missing from this link');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  // Same path, a fragment: a same-document navigation, as when the link is pasted into the address bar.
  await page.goto(share.url);
  await expect(h1(page)).toHaveText('A file was shared with you');
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // no reload happened
  expect(page.url()).not.toContain('#');
  expect(page.url()).not.toContain(share.secret);
});

test('a fragment changed on an open page is taken as the new key and cleared too', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'change.txt', bytes: text('changed') }] });
  const page = await open(browser, share.url);
  await expect(h1(page)).toHaveText('A file was shared with you');
  const other = generateLinkSecret();
  await page.evaluate((s) => (location.hash = s), other);
  await expect(h1(page)).toHaveText('This link is damaged');
  expect(page.url()).not.toContain(other);
  await page.evaluate((s) => (location.hash = s), share.secret);
  await expect(h1(page)).toHaveText('A file was shared with you');
  expect(page.url()).not.toContain('#');
});

test('a note-only share: sent from the page without a file, shown as plain text, counted as a download', async ({ browser }) => {
  const sender = await open(browser, '/');
  const send = sender.locator('.send-button');
  await expect(send).toBeDisabled();
  const note = 'The door code is 4711.\n<script>alert(1)</script> stays text.';
  await sender.getByLabel(/^Message for the recipient/).fill(note);
  await expect(send).toBeEnabled();
  await expect(send).toHaveText('Encrypt and send the note');
  await send.click();
  const link = await sender.locator('#send-link').inputValue();
  await expect(sender.getByText('that you sent a message without files')).toBeVisible();
  await expect(sender.getByRole('heading', { name: 'Checksums' })).toHaveCount(0);

  const id = new URL(link).pathname.split('/').pop()!;
  const page = await open(browser, link);
  await expect(h1(page)).toHaveText('A message was shared with you');
  await expect(page.getByTestId('note-text')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show the message' }).click();
  await expect(page.getByTestId('note-text')).toHaveText(note);
  await expect(page.getByTestId('note-text')).toBeFocused();
  expect(await page.locator('script', { hasText: 'alert(1)' }).count()).toBe(0);
  await expect(page.getByTestId('downloads-left')).toHaveText('0');
  const status = await client().admin(adminToken()).share(id);
  expect(status.files).toBe(0);
  expect(status.downloadsUsed).toBe(1);
  // One view by default: a second recipient is told so.
  const late = await open(browser, link);
  await expect(h1(late)).toHaveText('No downloads left');
});

test('Report this link: reason, confirmation, and the report reaches the admin queue', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'bad.exe', bytes: text('MZ') }] });
  const page = await open(browser, share.url);
  const reports: string[] = [];
  page.on('request', (r) => r.url().endsWith('/report') && reports.push(r.postData() ?? ''));
  await page.getByRole('button', { name: 'Report this link' }).click();
  const reason = page.getByLabel('What is wrong with it?');
  await expect(reason).toBeFocused();
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page.getByRole('alert')).toContainText('Say what is wrong with this link');
  await reason.fill('This is malware pretending to be an invoice.');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'your report was sent' })).toBeVisible();
  // Only the reason went out, never the key.
  expect(reports).toHaveLength(1);
  expect(JSON.parse(reports[0])).toEqual({ reason: 'This is malware pretending to be an invoice.' });
  const detail = await client().admin(adminToken()).share(share.id);
  expect(detail.reports.map((r) => r.reason)).toEqual(['This is malware pretending to be an invoice.']);
});

test('Report this link: a rate-limited report says so and sends nothing', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'often.txt', bytes: text('x') }] });
  // The per-share cap (100 reports) answers 429 like the per-address limit does.
  for (let i = 0; i < 100; i++) await client().report(share.id, `report ${i}`);
  const page = await open(browser, share.url);
  await page.getByRole('button', { name: 'Report this link' }).click();
  await page.getByLabel('What is wrong with it?').fill('one more');
  await page.getByRole('button', { name: 'Send the report' }).click();
  await expect(page.getByRole('alert')).toContainText(/Too many reports .* Your report was not sent; try again in \d+ minutes?\./);
  expect((await client().admin(adminToken()).share(share.id)).reports).toHaveLength(100);
});

/** A real minisign signature ("ED": Ed25519 over BLAKE2b-512 of the file) with a fresh key. */
async function minisign(file: Uint8Array, trustedComment: string): Promise<string> {
  const seed = randomBytes(32);
  const keynum = randomBytes(8);
  const sig = ed25519.sign(Buffer.from(await blake2b(file, 512), 'hex'), seed);
  const global = ed25519.sign(Buffer.concat([sig, Buffer.from(trustedComment)]), seed);
  const line = Buffer.concat([Buffer.from('ED'), keynum, sig]).toString('base64');
  return `untrusted comment: signature from minisign secret key\n${line}\ntrusted comment: ${trustedComment}\n${Buffer.from(global).toString('base64')}\n`;
}

test('a signed file: its .minisig is saved beside it and put in the ZIP, which carries the share date', async ({ browser }) => {
  const app = new Uint8Array(randomBytes(1536 * 1024));
  const sig = await minisign(app, 'timestamp:1700000000\tfile:app.tar.gz');
  const before = Date.now();
  const share = await seedShare({ files: [{ name: 'app.tar.gz', bytes: app }, { name: 'README', bytes: text('read me') }], signatures: [{ file: 0, minisig: sig }] });
  const page = await open(browser, share.url);
  const row = page.getByTestId('file-row').filter({ hasText: 'app.tar.gz' });
  // One unit convention (binary, as the admin pages and the CLI), one extension, no "Type: … file".
  await expect(row).toContainText('1.5 MiB');
  await expect(row.locator('.ext')).toHaveText('.tar.gz');
  await expect(row.locator('.stem')).toHaveText('app');
  await expect(page.getByText(/Type: .* file/)).toHaveCount(0);

  const one = await saved(page, 'Save app.tar.gz.minisig');
  expect(one.d.suggestedFilename()).toBe('app.tar.gz.minisig');
  expect(one.bytes.toString('utf8')).toBe(sig);

  const zip = await saved(page, 'Download all as ZIP');
  const entries = zipEntries(zip.bytes);
  expect([...entries.keys()]).toEqual(['app.tar.gz', 'README', 'app.tar.gz.minisig']);
  expect(sha256(entries.get('app.tar.gz')!.data)).toBe(sha256(app));
  expect(entries.get('app.tar.gz.minisig')!.data.toString('utf8')).toBe(sig);
  // No lastModified from the sender: every entry is dated at the share's creation, not the download.
  const created = entries.get('README')!.date.getTime();
  expect(created).toBeGreaterThanOrEqual(Math.floor(before / 2000) * 2000 - 2000);
  expect(created).toBeLessThanOrEqual(Date.now());
  for (const e of entries.values()) expect(e.date.getTime()).toBe(created);
});

test('the send page says what a one-time link allows: resumed or repeated for 6 h by the same recipient', async ({ browser }) => {
  const page = await open(browser, '/');
  await page.getByTestId('send-files-input').setInputFiles({ name: 'once.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(3 * 1024 * 1024) });
  await expect(page.locator('.send-file-list li')).toContainText('3 MiB');
  await page.getByLabel('Download limit').selectOption('1');
  await expect(page.getByText(/for the next 6 hours .* the same recipient can resume or repeat it/).first()).toBeVisible();
  await page.locator('.send-button').click();
  await expect(page.locator('#send-link')).toBeVisible({ timeout: 120_000 });
  const facts = page.locator('.send-done-facts');
  await expect(facts).toContainText('Download limit: one download.');
  await expect(facts).toContainText('resume or repeat it without using another');
  await expect(page.getByText('then it is gone')).toHaveCount(0);
});

test('no focus ring around a heading on page load; a revoke mid-download reads as sentences, no raw error', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'first.txt', bytes: text('1') }, { name: 'second.txt', bytes: text('2') }] });
  const page = await open(browser, share.url);
  const heading = h1(page);
  await expect(heading).toHaveText('2 files were shared with you');
  await expect(heading).toBeFocused(); // for screen readers…
  expect(await heading.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('none'); // …without a ring for mouse users
  await saved(page, 'Download first.txt');
  await client().revoke(share.id, share.ownerToken);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download second.txt', exact: true }).click()]);
  expect(await d.failure()).not.toBeNull();
  const alert = page.getByTestId('file-row').filter({ hasText: 'second' }).getByRole('alert');
  await expect(alert).toHaveText(
    'This link was withdrawn. The download of second.txt did not complete. The sender or an administrator revoked this link, and its files were deleted. Ask the sender if you still need them.',
    { useInnerText: true },
  );
});

test('the admin access log: outcome and detail in their own columns, "by bootstrap" once, country "local" on loopback', async ({ page }) => {
  const share = await seedShare({ files: [{ name: 'log.txt', bytes: text('log') }] });
  await client().admin(adminToken()).revoke(share.id);
  await signInAsAdmin(page);
  await page.goto(`/admin/shares/${share.id}`);
  const table = page.locator('.log-table').first();
  await expect(table.getByRole('columnheader', { name: 'Outcome' })).toBeVisible();
  await expect(table.getByRole('columnheader', { name: 'Detail' })).toBeVisible();
  const revoke = table.locator('tr[data-event="revoke"]');
  await expect(revoke).toHaveCount(1);
  await expect(revoke.locator('td.log-detail')).toHaveText('by bootstrap'); // not "by bootstrap (token bootstrap)"
  await expect(revoke.locator('td.log-country')).toHaveText('local');
  const created = table.locator('tr[data-event="create"] td.log-detail');
  await expect(created).toContainText('files=1');
  await expect(table.locator('tr[data-event="create"] td.log-outcome')).not.toContainText('files=');
});
