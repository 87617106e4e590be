// The recipient page against the real local stack: shares are made from Node
// with the real protocol (helpers/seed.ts), then opened in fresh browser
// contexts as a recipient would. Downloads go through the /dl/ service worker
// (Chromium hands them to Playwright as normal downloads), except where a test
// forces the Blob fallback with ?via=blob.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect as baseExpect, test, type Browser, type BrowserContext, type Download, type Page } from '@playwright/test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from 'hash-wasm';
import { ciphertextSize, generateLinkSecret, HEADER_BYTES, SEALED_CHUNK_BYTES } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { e2eBase, seedShare } from './helpers/seed.ts';
import { dropTransfer } from './helpers/send-ui.ts';
import { unzipStored } from './helpers/zip.ts';

// The machine is shared and slow at times: allow more than the default 5 s per check.
const expect = baseExpect.configure({ timeout: 20_000 });
const persistDir = path.resolve(process.env.E2E_PERSIST_DIR ?? '.wrangler/e2e-state');
const client = () => new SealdropClient(e2eBase());
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

/** A fresh browser context (a recipient with nothing stored) on `url`. */
async function open(browser: Browser, url: string, opts: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<Page> {
  const ctx = await browser.newContext({
    acceptDownloads: true,
    colorScheme: opts.colorScheme ?? 'light',
    viewport: { width: opts.width ?? 1000, height: 900 },
  });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url);
  return page;
}

function row(page: Page, name: string) {
  return page.getByTestId('file-row').filter({ hasText: name.slice(0, name.lastIndexOf('.')) || name });
}

async function download(page: Page, buttonName: string): Promise<Download> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: buttonName, exact: true }).click()]);
  return d;
}

async function downloadedBytes(d: Download): Promise<Buffer> {
  const failure = await d.failure();
  const alerts = failure ? await d.page().getByRole('alert').allTextContents() : [];
  expect(failure, `download failed; the page says: ${alerts.join(' | ')}`).toBeNull();
  return readFileSync((await d.path())!);
}

const MiB = 1024 * 1024;
const NON_ASCII = 'Grüße – naïve café 日本.txt';

test.describe('three files: 0 B, 40 MiB, a non-ASCII name', () => {
  const files = [
    { name: 'empty.txt', bytes: new Uint8Array(0) },
    { name: 'big.bin', bytes: new Uint8Array(randomBytes(40 * MiB)) },
    { name: NON_ASCII, bytes: new TextEncoder().encode('Grüße aus Sealdrop\n'.repeat(1000)) },
  ];
  let url = '';
  test.beforeAll(async () => {
    url = (await seedShare({ files, maxDownloads: 5, note: 'Three files for you.\n<b>not markup</b>' })).url;
  });

  test('each file downloads in a fresh context, bytes equal, verified', async ({ browser }) => {
    const page = await open(browser, url);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('3 files were shared with you');
    // The key left the address bar; the note is text, never markup.
    expect(page.url()).not.toContain('#');
    await expect(page.getByText('<b>not markup</b>')).toBeVisible();
    await expect(page.getByTestId('downloads-left')).toHaveText('5');

    for (const f of files) {
      const d = await download(page, `Download ${f.name}`);
      expect(d.suggestedFilename()).toBe(f.name);
      const got = await downloadedBytes(d);
      expect(got.length).toBe(f.bytes.length);
      expect(sha256(got)).toBe(sha256(f.bytes));
      const r = row(page, f.name);
      await expect(r.getByText('SHA-256 verified')).toBeVisible();
      await expect(r.getByTestId('sha256')).toHaveText(sha256(f.bytes));
    }
    // Three files, one grant: only one download was used.
    await expect(page.getByTestId('downloads-left')).toHaveText('4');
    expect(errors).toEqual([]);
    const speed = await page.getByTestId('last-run').textContent();
    test.info().annotations.push({ type: 'speed', description: speed ?? '' });
  });

  test('three quick clicks give three complete downloads', async ({ browser }) => {
    const page = await open(browser, url);
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    for (const f of files) await page.getByRole('button', { name: `Download ${f.name}`, exact: true }).click();
    await expect.poll(() => downloads.length, { timeout: 60_000 }).toBe(3);
    for (const f of files) {
      const d = downloads.find((x) => x.suggestedFilename() === f.name)!;
      expect(sha256(await downloadedBytes(d))).toBe(sha256(f.bytes));
      await expect(row(page, f.name).getByText('SHA-256 verified')).toBeVisible();
    }
  });

  test('download all as one ZIP, unzipped and compared', async ({ browser }) => {
    const page = await open(browser, url);
    const d = await download(page, 'Download all as ZIP');
    expect(d.suggestedFilename()).toBe('sealdrop-files.zip');
    const entries = unzipStored(await downloadedBytes(d));
    expect([...entries.keys()]).toEqual(files.map((f) => f.name));
    for (const f of files) expect(sha256(entries.get(f.name)!)).toBe(sha256(f.bytes));
    await expect(page.getByText('ZIP saved: every file in it decrypted and its SHA-256 verified.')).toBeVisible();
    for (const f of files) await expect(row(page, f.name).getByText('SHA-256 verified')).toBeVisible();
  });
});

test('browser to browser: a real drop of three files in one context, each downloaded in another', async ({ browser }) => {
  test.setTimeout(240_000); // 40 MiB up and down on a shared 2-core machine
  const dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-receive-e2e-'));
  try {
    const bigPath = path.join(dir, 'big.bin');
    const big = randomBytes(40 * MiB);
    writeFileSync(bigPath, big);
    const text = 'Grüße aus dem Browser.\n'.repeat(100);
    const expected = new Map<string, Uint8Array>([
      ['empty.txt', new Uint8Array(0)],
      ['big.bin', big],
      [NON_ASCII, new TextEncoder().encode(text)],
    ]);

    // Sender: a real `drop` of three files, one of them 40 MiB from disk.
    const sender = await open(browser, `${e2eBase()}/`);
    const dt = await dropTransfer(sender, bigPath, NON_ASCII, text);
    const target = sender.locator('main');
    await target.dispatchEvent('dragenter', { dataTransfer: dt });
    await target.dispatchEvent('dragover', { dataTransfer: dt });
    await target.dispatchEvent('drop', { dataTransfer: dt });
    await expect(sender.locator('.send-file-list li')).toHaveCount(3);
    await sender.locator('.send-button').click();
    const link = await sender.locator('#send-link').inputValue({ timeout: 120_000 });
    expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);

    // Recipient: another context, nothing shared with the sender's.
    const page = await open(browser, link);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('3 files were shared with you');
    for (const [name, bytes] of expected) {
      const d = await download(page, `Download ${name}`);
      expect(d.suggestedFilename()).toBe(name);
      expect(sha256(await downloadedBytes(d))).toBe(sha256(bytes));
      await expect(row(page, name).getByText('SHA-256 verified')).toBeVisible();
      await expect(row(page, name).getByTestId('sha256')).toHaveText(sha256(bytes));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Blob fallback (?via=blob) saves a verified copy too', async ({ browser }) => {
  const bytes = new Uint8Array(randomBytes(3 * MiB + 5));
  const { url } = await seedShare({ files: [{ name: 'fallback.dat', bytes }] });
  const page = await open(browser, url.replace('#', '?via=blob#'));
  const d = await download(page, 'Download fallback.dat');
  expect(d.suggestedFilename()).toBe('fallback.dat');
  expect(sha256(await downloadedBytes(d))).toBe(sha256(bytes));
  await expect(row(page, 'fallback.dat').getByText('SHA-256 verified')).toBeVisible();
  await expect(page.getByTestId('last-run')).toContainText('via memory');
});

test('with only the Blob fallback, a large download asks first (and takes nothing)', async ({ browser }) => {
  // The manifest announces 300 MiB; the warning comes before any request for it.
  const share = await seedShare({
    files: [{ name: 'huge.iso', bytes: new Uint8Array(10) }],
    rawManifest: (m) => ({ ...m, files: (m as { files: object[] }).files.map((f) => ({ ...f, size: 300 * MiB })) }),
  });
  const page = await open(browser, share.url.replace('#', '?via=blob#'));
  await page.getByRole('button', { name: 'Download huge.iso', exact: true }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'holding all of it in memory' });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole('button', { name: 'Download anyway' })).toBeVisible();
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toHaveCount(0);
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(0);
});

test('a dropped connection and a 503 mid-file: resumed with Range within the same grant', async ({ browser }) => {
  const bytes = new Uint8Array(randomBytes(3 * MiB + 77));
  const share = await seedShare({ files: [{ name: 'resume.bin', bytes }], maxDownloads: 1 });
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  // The service worker's first request gets only half of the ciphertext, then the
  // connection "ends"; the second gets a server hiccup (503); the third goes through.
  const ranges: string[] = [];
  await ctx.route('**/api/shares/*/files/*', async (route) => {
    ranges.push(route.request().headers()['range'] ?? 'whole');
    if (ranges.length === 2) {
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'try again' } }) });
    }
    if (ranges.length > 2) return route.continue();
    const res = await route.fetch();
    const half = (await res.body()).subarray(0, Math.floor(ciphertextSize(bytes.length) / 2));
    await route.fulfill({ status: res.status(), headers: { ...res.headers(), 'content-length': String(half.length) }, body: half });
  });
  const page = await ctx.newPage();
  await page.goto(share.url);
  const d = await download(page, 'Download resume.bin');
  expect(sha256(await downloadedBytes(d))).toBe(sha256(bytes));
  await expect(row(page, 'resume.bin').getByText('SHA-256 verified')).toBeVisible();
  // One engine for the browser and the CLI: a resume asks from the last whole chunk
  // that authenticated and reached the disk (never past where the cut was).
  const half = Math.floor(ciphertextSize(bytes.length) / 2);
  expect(ranges).toHaveLength(3);
  expect(ranges[0]).toBe('whole');
  expect(ranges[2]).toBe(ranges[1]);
  const start = Number(/^bytes=(\d+)-$/.exec(ranges[1])?.[1]);
  expect(start).toBeGreaterThan(HEADER_BYTES);
  expect((start - HEADER_BYTES) % SEALED_CHUNK_BYTES).toBe(0);
  expect(start).toBeLessThanOrEqual(half);
  expect(start).toBeGreaterThan(half - SEALED_CHUNK_BYTES); // every whole chunk that came in was kept
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(1);
});

test('password: wrong, then right; a damaged key is told apart', async ({ browser }) => {
  const bytes = new TextEncoder().encode('secret plans');
  const share = await seedShare({ files: [{ name: 'plans.txt', bytes }], password: 'correct horse battery staple' });
  const page = await open(browser, share.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This share is protected by a password');
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  const input = page.getByLabel('Password', { exact: true });
  await input.fill('wrong password');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('alert')).toContainText('Wrong password');
  await input.fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A file was shared with you');
  // Argon2id ran in the crypto pool's worker, not on the page's main thread.
  expect(workers.filter((u) => u.includes('pool.worker'))).toHaveLength(2);
  const d = await download(page, 'Download plans.txt');
  expect(sha256(await downloadedBytes(d))).toBe(sha256(bytes));
  await expect(row(page, 'plans.txt').getByText('SHA-256 verified')).toBeVisible();

  // A well-formed key that is not this share's: the server refuses the link proof (401).
  const damaged = await open(browser, `${e2eBase()}/s/${share.id}#${generateLinkSecret()}`);
  await damaged.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
  await damaged.getByRole('button', { name: 'Unlock' }).click();
  await expect(damaged.getByRole('heading', { level: 1 })).toHaveText('This link is damaged');
  await expect(damaged.getByRole('alert')).toContainText('Its key does not match these files');
  await expect(damaged.getByText('Wrong password')).toHaveCount(0);
});

test('keyboard only: password, then Tab to Download and Enter', async ({ browser }) => {
  const bytes = new TextEncoder().encode('typed, not clicked');
  const share = await seedShare({ files: [{ name: 'keys.txt', bytes }], password: 'pass phrase' });
  const page = await open(browser, share.url);
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await page.keyboard.type('pass phrase');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A file was shared with you');
  const button = page.getByRole('button', { name: 'Download keys.txt', exact: true });
  for (let i = 0; i < 20 && !(await button.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(button).toBeFocused();
  expect(await button.evaluate((b) => getComputedStyle(b).outlineStyle)).not.toBe('none');
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(sha256(await downloadedBytes(d))).toBe(sha256(bytes));
  await expect(row(page, 'keys.txt').getByText('SHA-256 verified')).toBeVisible();
});

test('wrong passwords back off with a countdown', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'a.txt', bytes: new TextEncoder().encode('a') }], password: 'right' });
  const page = await open(browser, share.url);
  const input = page.getByLabel('Password', { exact: true });
  const unlock = page.getByRole('button', { name: 'Unlock' });
  let limited = false;
  for (let i = 0; i < 10 && !limited; i++) {
    await expect(unlock).toBeEnabled({ timeout: 20_000 });
    await input.fill(`wrong ${i}`);
    await unlock.click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expect(unlock).toHaveText('Unlock', { timeout: 20_000 });
    limited = (await page.getByRole('alert').textContent())!.includes('Try again in');
  }
  expect(limited).toBe(true);
  await expect(page.getByRole('alert')).toContainText(/Too many wrong passwords for this link\. Try again in \d+ seconds?\./);
  await expect(unlock).toBeDisabled();
});

test('a one-time link: opening and reloading use nothing; after one download, no downloads left', async ({ browser }) => {
  const bytes = new TextEncoder().encode('only once');
  const other = new TextEncoder().encode('second file, same grant');
  const share = await seedShare({ files: [{ name: 'once.txt', bytes }, { name: 'twice.txt', bytes: other }], maxDownloads: 1 });

  const preview = await open(browser, share.url);
  await expect(preview.getByTestId('downloads-left')).toHaveText('1');
  await preview.reload();
  // The key was taken out of the address bar, and it is kept nowhere: a reload has no key.
  await expect(preview.getByRole('heading', { level: 1 })).toHaveText('The key is missing from this link');
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(0);

  const page = await open(browser, share.url);
  await expect(page.getByTestId('downloads-left')).toHaveText('1');
  expect(sha256(await downloadedBytes(await download(page, 'Download once.txt')))).toBe(sha256(bytes));
  await expect(page.getByTestId('downloads-left')).toHaveText('0');
  // The rest of the share comes with the same grant.
  expect(sha256(await downloadedBytes(await download(page, 'Download twice.txt')))).toBe(sha256(other));
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(1);

  const late = await open(browser, share.url);
  await expect(late.getByRole('heading', { level: 1 })).toHaveText('No downloads left');
});

test('tamper: a flipped byte in storage is an integrity error and no completed file', async ({ browser }) => {
  const size = 300_001 + Math.floor(Math.random() * 200_000); // a size no other stored object has
  const bytes = new Uint8Array(randomBytes(size));
  const share = await seedShare({ files: [{ name: 'intro.txt', bytes: new TextEncoder().encode('intact') }, { name: 'report.pdf', bytes }] });
  const blobs = path.join(persistDir, 'v3', 'r2');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.includes(`${path.sep}blobs${path.sep}`) && statSync(p).size === ciphertextSize(size)) found.push(p);
    }
  };
  walk(blobs);
  expect(found).toHaveLength(1);
  const fd = openSync(found[0], 'r+');
  const at = Math.floor(ciphertextSize(size) / 2);
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x01;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);

  const page = await open(browser, share.url);
  const d = await download(page, 'Download report.pdf');
  expect(await d.failure()).not.toBeNull();
  const r = row(page, 'report.pdf');
  await expect(r.getByRole('alert')).toContainText('Integrity check failed');
  await expect(r.getByText('SHA-256 verified')).toHaveCount(0);

  // The ZIP is aborted too: never a complete-looking archive with a bad file in it.
  const zip = await download(page, 'Download all as ZIP');
  expect(await zip.failure()).not.toBeNull();
  await expect(page.locator('.zip').getByRole('alert')).toContainText('Integrity check failed');
  await expect(page.getByText('ZIP saved')).toHaveCount(0);
});

test('expired and revoked links say so', async ({ browser }) => {
  const one = await seedShare({ files: [{ name: 'x.txt', bytes: new TextEncoder().encode('x') }] });
  const two = await seedShare({ files: [{ name: 'y.txt', bytes: new TextEncoder().encode('y') }] });
  execFileSync(
    'npx',
    ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--command', `UPDATE shares SET expires_at = ${Date.now() - 1000} WHERE id = '${one.id}'`],
    { stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
  );
  const expired = await open(browser, one.url);
  await expect(expired.getByRole('heading', { level: 1 })).toHaveText('This link has expired');

  await client().revoke(two.id, two.ownerToken);
  const revoked = await open(browser, two.url);
  await expect(revoked.getByRole('heading', { level: 1 })).toHaveText('This link was withdrawn');
});

test('a revocation ends the grant a page already holds', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'first.txt', bytes: new TextEncoder().encode('1') }, { name: 'second.txt', bytes: new TextEncoder().encode('2') }] });
  const page = await open(browser, share.url);
  await downloadedBytes(await download(page, 'Download first.txt'));
  await client().revoke(share.id, share.ownerToken);
  const d = await download(page, 'Download second.txt');
  expect(await d.failure()).not.toBeNull();
  await expect(row(page, 'second.txt').getByRole('alert')).toContainText('This link was withdrawn');
  // The cause is said once: the server's own words are not repeated under the explanation.
  await expect(row(page, 'second.txt').getByRole('alert')).not.toContainText('this share was revoked');
});

test('a slow grant: the download starts alongside it, and the click still gives one complete file and one download used', async ({ browser }) => {
  const bytes = new TextEncoder().encode('worth the wait');
  const share = await seedShare({ files: [{ name: 'slow-grant.txt', bytes }], maxDownloads: 3 });
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  // Hold the grant back until the page has started its /dl/ navigation (which waits
  // for the grant in the service worker), as the Navigation API tells it.
  let navigated = false;
  await ctx.exposeFunction('dlNavigated', () => (navigated = true));
  await ctx.addInitScript(() => {
    const w = window as unknown as { dlNavigated(): void; navigation?: EventTarget };
    w.navigation?.addEventListener('navigate', (e) => {
      if (new URL((e as unknown as { destination: { url: string } }).destination.url).pathname.startsWith('/dl/')) w.dlNavigated();
    });
  });
  let seenWhileHeld = false;
  await ctx.route('**/api/shares/*/download', async (route) => {
    for (let t = 0; t < 50 && !navigated; t++) await new Promise((r) => setTimeout(r, 100));
    seenWhileHeld = navigated;
    await route.continue();
  });
  const page = await ctx.newPage();
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.goto(share.url);
  expect(sha256(await downloadedBytes(await download(page, 'Download slow-grant.txt')))).toBe(sha256(bytes));
  await expect(row(page, 'slow-grant.txt').getByText('SHA-256 verified')).toBeVisible();
  expect(seenWhileHeld, 'the /dl/ navigation went out while the grant was held').toBe(true);
  await expect(page.getByTestId('downloads-left')).toHaveText('2');
  await page.waitForTimeout(1000); // a second download would have shown by now
  expect(downloads).toBe(1);
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(1);
});

test('a link revoked after the page opened: the click says so, and nothing is downloaded', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'gone.txt', bytes: new TextEncoder().encode('gone') }] });
  const page = await open(browser, share.url);
  const button = page.getByRole('button', { name: 'Download gone.txt', exact: true });
  await expect(button).toBeVisible();
  await client().revoke(share.id, share.ownerToken);
  let downloads = 0;
  page.on('download', () => downloads++);
  await button.click();
  await expect(row(page, 'gone.txt').getByRole('alert')).toContainText('This link was withdrawn');
  await page.waitForTimeout(1000); // the /dl/ navigation was answered 204: the page stays, no download
  expect(downloads).toBe(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A file was shared with you');
});

test('Cancel stops a running download and the browser marks it failed', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'slow.bin', bytes: new Uint8Array(randomBytes(MiB)) }] });
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  // Hold the ciphertext back so the download is still running when Cancel is pressed.
  await ctx.route('**/api/shares/*/files/*', async (route) => {
    await new Promise((r) => setTimeout(r, 4000));
    await route.continue().catch(() => {});
  });
  const page = await ctx.newPage();
  await page.goto(share.url);
  const d = await download(page, 'Download slow.bin');
  await page.getByRole('button', { name: 'Cancel slow.bin', exact: true }).click();
  expect(await d.failure()).not.toBeNull();
  await expect(row(page, 'slow.bin').getByRole('alert')).toContainText('Canceled');
  await expect(row(page, 'slow.bin').getByText('SHA-256 verified')).toHaveCount(0);
});

test('a manifest that breaks the name rules is refused with its reason', async ({ browser }) => {
  // U+202E (right-to-left override) would show "invoice‮fdp.exe" as "invoiceexe.pdf".
  const spoof = 'invoice\u202efdp.exe';
  const { url } = await seedShare({
    files: [{ name: 'invoice.exe', bytes: new TextEncoder().encode('MZ') }],
    rawManifest: (m) => ({ ...m, files: (m as { files: object[] }).files.map((f) => ({ ...f, name: spoof })) }),
  });
  const page = await open(browser, url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The file list cannot be trusted');
  await expect(page.getByRole('alert')).toContainText('invisible or text-direction characters');
  await expect(page.getByRole('button', { name: /Download/ })).toHaveCount(0);
});

test('a file whose stored size differs from the manifest is refused', async ({ browser }) => {
  // The sender's list says 1001 bytes; the server holds the ciphertext of 1000.
  const { url } = await seedShare({
    files: [{ name: 'sized.bin', bytes: new Uint8Array(randomBytes(1000)) }],
    rawManifest: (m) => ({ ...m, files: (m as { files: object[] }).files.map((f) => ({ ...f, size: 1001 })) }),
  });
  const page = await open(browser, url);
  await page.getByRole('button', { name: 'Download sized.bin', exact: true }).click();
  const r = row(page, 'sized.bin');
  await expect(r.getByRole('alert')).toContainText('Integrity check failed');
  await expect(r.getByRole('alert')).toContainText('wrong size');
});

test('a network failure says so, and Try again recovers', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'n.txt', bytes: new TextEncoder().encode('n') }] });
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  const cut = (route: import('@playwright/test').Route) => route.abort('internetdisconnected');
  await ctx.route('**/api/shares/**', cut);
  const page = await ctx.newPage();
  await page.goto(share.url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cannot reach Sealdrop');
  await ctx.unroute('**/api/shares/**', cut);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A file was shared with you');
});

test('a missing, a malformed key and a bad id each get their own message', async ({ browser }) => {
  const share = await seedShare({ files: [{ name: 'k.txt', bytes: new TextEncoder().encode('k') }] });
  const missing = await open(browser, `${e2eBase()}/s/${share.id}`);
  await expect(missing.getByRole('heading', { level: 1 })).toHaveText('The key is missing from this link');

  const requests: string[] = [];
  const malformed = await open(browser, 'about:blank');
  malformed.on('request', (r) => requests.push(r.url()));
  await malformed.goto(`${e2eBase()}/s/${share.id}#${share.secret.slice(0, 40)}`);
  await expect(malformed.getByRole('heading', { level: 1 })).toHaveText('This link is damaged');
  await expect(malformed.getByRole('alert')).toContainText('should be 43 characters');

  await malformed.goto(`${e2eBase()}/s/not-a-share-id#${share.secret}`);
  await expect(malformed.getByRole('heading', { level: 1 })).toHaveText('No files at this link');
  // Neither asked the server about the share.
  expect(requests.filter((u) => u.includes('/api/'))).toEqual([]);
  expect((await client().ownerStatus(share.id, share.ownerToken)).downloadsUsed).toBe(0);
});

/** A real minisign signature ("ED": Ed25519 over BLAKE2b-512 of the file) with a fresh key. */
async function minisign(file: Uint8Array, trustedComment: string): Promise<{ text: string; keyId: string }> {
  const seed = randomBytes(32);
  const keynum = randomBytes(8);
  const digest = await blake2b(file, 512);
  const sig = ed25519.sign(Buffer.from(digest, 'hex'), seed);
  const global = ed25519.sign(Buffer.concat([sig, Buffer.from(trustedComment)]), seed);
  const line = Buffer.concat([Buffer.from('ED'), keynum, sig]).toString('base64');
  return {
    text: `untrusted comment: signature from minisign secret key\n${line}\ntrusted comment: ${trustedComment}\n${Buffer.from(global).toString('base64')}\n`,
    keyId: Buffer.from(keynum).reverse().toString('hex').toUpperCase(),
  };
}

test('a minisign signature in the manifest shows its key id, marked as not checked', async ({ browser }) => {
  const bytes = new TextEncoder().encode('release 1.2.3');
  const sig = await minisign(bytes, 'timestamp:1700000000\tfile:app.tar.gz');
  const { url } = await seedShare({ files: [{ name: 'app.tar.gz', bytes }], signatures: [{ file: 0, minisig: sig.text }] });
  const page = await open(browser, url);
  const r = row(page, 'app.tar.gz');
  await expect(r).toContainText(`Signed with minisign key ${sig.keyId}`);
  await expect(r).toContainText('file:app.tar.gz');
  await expect(r).toContainText('Not checked here');
});

test('fits 360 px without sideways scrolling', async ({ browser }) => {
  const { url } = await seedShare({ files: [{ name: 'a-rather-long-file-name-without-any-spaces-in-it-at-all.tar.gz', bytes: new Uint8Array(10) }] });
  const page = await open(browser, url, { width: 360 });
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
});

// Screenshots of the recipient page (file list, one file verified), light and dark.
// Saved as test artifacts; copied to docs/screenshots with UPDATE_SCREENSHOTS=1.
for (const scheme of ['light', 'dark'] as const) {
  test(`screenshot: recipient page, ${scheme}`, async ({ browser }) => {
    const files = [
      { name: 'Quarterly report.pdf', bytes: new Uint8Array(randomBytes(1_234_567)) },
      { name: 'photos/Café terrace.jpg', bytes: new Uint8Array(randomBytes(3_456_789)) },
      { name: 'notes.txt', bytes: new TextEncoder().encode('Meeting notes\n'.repeat(50)) },
    ];
    const { url } = await seedShare({ files, maxDownloads: 10, expiresIn: 7 * 24 * 3600, note: 'Here are the documents we talked about.\nThe photos are in their own folder.' });
    const page = await open(browser, url, { colorScheme: scheme, width: 900 });
    await downloadedBytes(await download(page, 'Download Quarterly report.pdf'));
    await expect(row(page, 'Quarterly report.pdf').getByText('SHA-256 verified')).toBeVisible();
    const file = test.info().outputPath(`receive-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS) {
      const dir = path.resolve('docs/screenshots');
      mkdirSync(dir, { recursive: true });
      copyFileSync(file, path.join(dir, `receive-${scheme}.png`));
    }
  });
}
