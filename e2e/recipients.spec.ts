// v1.1 recipient keys in the browser against the real local stack: a key made on
// the Keys page (IndexedDB only) opens a fragment-less link the CLI sealed to it,
// a browser without it is told "not sealed to any of your keys" and spends no
// download, and the exported identity file opens shares in the CLI.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect as baseExpect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { runCli } from './helpers/cli.ts';
import { e2eBase } from './helpers/seed.ts';
import { sendViaUi } from './helpers/send-ui.ts';

const expect = baseExpect.configure({ timeout: 20_000 });
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-recipients-e2e-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));
const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});
const cli = (args: string[]) => runCli(args, path.join(dir, 'state'));

async function open(browser: Browser, url: string): Promise<Page> {
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url);
  return page;
}

/** Creates a key on the Keys page; returns its public key as the page shows it. */
async function createKey(page: Page): Promise<string> {
  await page.goto(`${e2eBase()}/keys`);
  await page.getByRole('button', { name: 'Create a key' }).click();
  await expect(page.getByRole('status').filter({ hasText: /New key .* created/ })).toBeVisible();
  const pub = await page.getByLabel('Public key').first().inputValue();
  expect(pub).toMatch(/^sealdrop-pq1:[A-Za-z0-9_-]{1622}$/);
  return pub;
}

test('CLI seals to a browser key: the fragment-less link opens there; another browser is told it is not sealed to its keys', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = await open(browser, `${e2eBase()}/keys`);
  const pub = await createKey(owner);
  const bytes = new Uint8Array(randomBytes(400_000));
  writeFileSync(path.join(dir, 'release.bin'), bytes);
  const sent = await cli(['send', path.join(dir, 'release.bin'), '--server', e2eBase(), '--to', pub, '--downloads', '2', '--json']);
  expect(sent.code, sent.stderr).toBe(0);
  const { url } = JSON.parse(sent.stdout) as { url: string };
  expect(url).not.toContain('#');

  // A browser with another key: its own message, nothing spent.
  const other = await open(browser, `${e2eBase()}/keys`);
  await createKey(other);
  await other.goto(url);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Open with your key');
  await other.getByRole('button', { name: /^Open with key / }).click();
  await expect(other.getByRole('alert')).toContainText('This share is not sealed to any of your keys.');

  await owner.goto(url);
  await expect(owner.getByRole('heading', { level: 1 })).toHaveText('Open with your key');
  await owner.getByRole('button', { name: /^Open with key / }).click();
  // The refused browser spent nothing: both downloads are left.
  await expect(owner.getByTestId('downloads-left')).toHaveText('2');
  const [d] = await Promise.all([owner.waitForEvent('download', { timeout: 60_000 }), owner.getByRole('button', { name: 'Download release.bin', exact: true }).click()]);
  expect(sha256(readFileSync((await d.path())!))).toBe(sha256(bytes));
});

test('a browser key exported as an identity file opens a sealed share in the CLI; an identity file opens a link in the browser', async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await open(browser, `${e2eBase()}/keys`);
  const pub = await createKey(page);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export identity file' }).click()]);
  const keyFile = path.join(dir, 'browser.key');
  await d.saveAs(keyFile);
  expect((await cli(['identity', 'pub', keyFile])).stdout.trim()).toBe(pub);

  writeFileSync(path.join(dir, 'notes.txt'), 'sealed to the browser key\n');
  const sent = await cli(['send', path.join(dir, 'notes.txt'), '--server', e2eBase(), '--to', pub, '--downloads', '2', '--json']);
  expect(sent.code, sent.stderr).toBe(0);
  const { url } = JSON.parse(sent.stdout) as { url: string };
  const got = await cli(['receive', url, '--identity', keyFile, '-o', path.join(dir, 'out')]);
  expect(got.code, got.stderr).toBe(0);
  expect(readFileSync(path.join(dir, 'out', 'notes.txt'), 'utf8')).toBe('sealed to the browser key\n');

  // A fresh browser with no key opens it from the identity file.
  const fresh = await open(browser, url);
  await expect(fresh.getByRole('heading', { level: 1 })).toHaveText('Open with your key');
  await fresh.getByLabel('Open an identity file').setInputFiles(keyFile);
  await expect(fresh.getByRole('button', { name: 'Download notes.txt', exact: true })).toBeVisible();
});

test('Keys page: deleting a key asks first and then removes it; importing a file brings it back', async ({ browser }) => {
  const page = await open(browser, `${e2eBase()}/keys`);
  await createKey(page);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export identity file' }).click()]);
  const keyFile = path.join(dir, 'kept.key');
  await d.saveAs(keyFile);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('cannot be undone');
  await page.getByRole('button', { name: /^Delete key / }).click();
  await expect(page.getByText('No key in this browser yet.')).toBeVisible();
  await page.getByLabel('Import an identity file').setInputFiles(keyFile);
  await expect(page.getByRole('status').filter({ hasText: /^Imported / })).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(1);
});

test('browser seals to a browser key: the link holds no secret, another context opens it with its key, the CLI with the exported file', async ({ browser }) => {
  test.setTimeout(180_000);
  const recipient = await open(browser, `${e2eBase()}/keys`);
  const pub = await createKey(recipient);
  const fp = (await recipient.locator('.key-card .fingerprint').first().textContent())!.trim();
  const [d] = await Promise.all([recipient.waitForEvent('download'), recipient.getByRole('button', { name: 'Export identity file' }).click()]);
  const keyFile = path.join(dir, 'recipient.key');
  await d.saveAs(keyFile);

  const sender = await open(browser, `${e2eBase()}/`);
  const bytes = new Uint8Array(randomBytes(250_000));
  const link = await sendViaUi(sender, [{ name: 'sealed.bin', bytes }], { downloads: 2, recipients: [pub] });
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
  await expect(sender.getByText(`it holds no secret: only the key ${fp} can open it`)).toBeVisible();
  // The secret link is there only on purpose.
  await sender.getByText('Also copy a secret link').click();
  expect(await sender.getByLabel('Secret link').inputValue()).toMatch(/#[A-Za-z0-9_-]{43}$/);

  // The sender's own browser has no key that opens it.
  await sender.goto(link);
  await expect(sender.getByRole('heading', { level: 1 })).toHaveText('Open with your key');
  await expect(sender.getByText('No key is kept in this browser.')).toBeVisible();

  await recipient.goto(link);
  await recipient.getByRole('button', { name: `Open with key ${fp}` }).click();
  const [got] = await Promise.all([recipient.waitForEvent('download', { timeout: 60_000 }), recipient.getByRole('button', { name: 'Download sealed.bin', exact: true }).click()]);
  expect(sha256(readFileSync((await got.path())!))).toBe(sha256(bytes));

  const r = await cli(['receive', link, '--identity', keyFile, '-o', path.join(dir, 'from-browser')]);
  expect(r.code, r.stderr).toBe(0);
  expect(sha256(readFileSync(path.join(dir, 'from-browser', 'sealed.bin')))).toBe(sha256(bytes));
});

test('requests: the CLI asks, a browser sends through /r/<id>#<fingerprint>; a swapped fingerprint is refused there', async ({ browser }) => {
  test.setTimeout(180_000);
  const keyFile = path.join(dir, 'team.key');
  expect((await cli(['identity', 'new', '-o', keyFile])).code).toBe(0);
  const made = await cli(['request', 'new', '--identity', keyFile, '--server', e2eBase(), '--max-shares', '3', '--json']);
  expect(made.code, made.stderr).toBe(0);
  const req = JSON.parse(made.stdout) as { url: string; id: string; ownerToken: string };

  // A link whose fragment names another key: the page refuses, nothing is sent.
  const other = path.join(dir, 'other.key');
  await cli(['identity', 'new', '-o', other]);
  const otherReq = JSON.parse((await cli(['request', 'new', '--identity', other, '--server', e2eBase(), '--json'])).stdout) as { url: string };
  const swapped = `${req.url.split('#')[0]}#${otherReq.url.split('#')[1]}`;
  const bad = await open(browser, swapped);
  await expect(bad.getByRole('heading', { level: 1 })).toHaveText('This request link does not match its key');
  await expect(bad.getByRole('button', { name: 'Encrypt and send' })).toHaveCount(0);

  const vendor = await open(browser, req.url);
  await expect(vendor.getByRole('heading', { level: 1 })).toHaveText('Send files to this request');
  const bytes = new Uint8Array(randomBytes(200_000));
  await vendor.getByLabel('Files to send').setInputFiles({ name: 'logs.tar', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await vendor.getByRole('button', { name: 'Encrypt and send' }).click();
  await expect(vendor.getByRole('status').filter({ hasText: /^Sent\./ })).toBeVisible({ timeout: 60_000 });

  const list = await cli(['request', 'list', req.url, '--owner-token', req.ownerToken, '--json']);
  expect(list.code, list.stderr).toBe(0);
  const { shares } = JSON.parse(list.stdout) as { shares: { url: string }[] };
  expect(shares).toHaveLength(1);
  const got = await cli(['receive', shares[0].url, '--identity', keyFile, '-o', path.join(dir, 'arrived')]);
  expect(got.code, got.stderr).toBe(0);
  expect(sha256(readFileSync(path.join(dir, 'arrived', 'logs.tar')))).toBe(sha256(bytes));
});

test('requests: a browser asks, the CLI sends with --request, the Requests page lists it, opens it, and closes the request', async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await open(browser, `${e2eBase()}/keys`);
  await createKey(page);
  await page.goto(`${e2eBase()}/requests`);
  await page.getByRole('button', { name: 'Create request' }).click();
  const url = await page.getByLabel('Request link').first().inputValue();
  expect(url).toMatch(/\/r\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);

  writeFileSync(path.join(dir, 'vendor.txt'), 'from the vendor\n');
  const sent = await cli(['send', path.join(dir, 'vendor.txt'), '--request', url]);
  expect(sent.code, sent.stderr).toBe(0);

  await page.getByRole('button', { name: 'Refresh' }).click();
  const arrived = page.getByRole('list', { name: /^Shares sent to request/ }).getByRole('link');
  await expect(arrived).toHaveCount(1);
  await arrived.click();
  await page.getByRole('button', { name: /^Open with key / }).click();
  await expect(page.getByRole('button', { name: 'Download vendor.txt', exact: true })).toBeVisible();

  await page.goto(`${e2eBase()}/requests`);
  await page.getByRole('button', { name: 'Close request' }).click();
  await expect(page.getByRole('heading', { name: /\(closed\)/ })).toBeVisible();
  const late = await cli(['send', path.join(dir, 'vendor.txt'), '--request', url]);
  expect(late.code).toBe(4);
});

test('Keys, Requests and a sealed link fit 360 px in dark mode, and the key card is reachable by keyboard', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await createKey(page);
  await page.getByRole('button', { name: 'Show QR code' }).click();
  expect(await overflow()).toBeLessThanOrEqual(0);
  // Keyboard: Tab reaches the Copy button of the public key.
  await page.getByLabel('Public key').first().focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /^Copy public key/ })).toBeFocused();
  await page.goto(`${e2eBase()}/requests`);
  await page.getByRole('button', { name: 'Create request' }).click();
  await expect(page.getByLabel('Request link').first()).toBeVisible();
  expect(await overflow()).toBeLessThanOrEqual(0);
  const url = await page.getByLabel('Request link').first().inputValue();
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Send files to this request');
  expect(await overflow()).toBeLessThanOrEqual(0);
});
