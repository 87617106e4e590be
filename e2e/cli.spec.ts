// The CLI and the web app speak the same protocol: what `sealdrop send` uploads,
// the recipient page opens, and what the send page uploads, `sealdrop receive`
// saves, byte for byte, against the real local stack.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect as baseExpect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { sendViaUi } from './helpers/send-ui.ts';
import { e2eBase } from './helpers/seed.ts';
import { runCli } from './helpers/cli.ts';

const expect = baseExpect.configure({ timeout: 20_000 });
const MiB = 1024 * 1024;
const NON_ASCII = 'Grüße – naïve café 日本.txt';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-cli-e2e-'));
});
test.afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function open(browser: Browser, url: string): Promise<Page> {
  const ctx = await browser.newContext({ acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url);
  return page;
}

/** Runs the real CLI (bin/sealdrop.mjs) as a user would. */
const cli = (args: string[], input?: string) => runCli(args, path.join(dir, 'state'), input);

const row = (page: Page, name: string) => page.getByTestId('file-row').filter({ has: page.locator(`[title="${name}"]`) });

test('CLI send, browser receive: a folder with an empty file, a non-ASCII name and 12 MiB, signed; byte-exact', async ({ browser }) => {
  test.setTimeout(240_000);
  const bundle = path.join(dir, 'bundle');
  mkdirSync(bundle, { recursive: true });
  const files = new Map<string, Uint8Array>([
    ['bundle/big.bin', new Uint8Array(randomBytes(12 * MiB + 321))],
    ['bundle/empty.txt', new Uint8Array(0)],
    [`bundle/${NON_ASCII}`, new TextEncoder().encode('Grüße von der Kommandozeile.\n'.repeat(50))],
  ]);
  for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
  const keygen = await cli(['keygen', '-W', '-p', path.join(dir, 'ci.pub'), '-s', path.join(dir, 'ci.key')]);
  expect(keygen.code, keygen.stderr).toBe(0);
  const keyId = readFileSync(path.join(dir, 'ci.pub'), 'utf8').split('\n')[0].split(' ').pop()!;

  const sent = await cli(['send', bundle, '--server', e2eBase(), '--downloads', '5', '--sign', path.join(dir, 'ci.key'), '--note', 'from the CLI', '--json']);
  expect(sent.code, sent.stderr).toBe(0);
  const { url, files: listed } = JSON.parse(sent.stdout) as { url: string; files: { name: string; sha256: string }[] };
  expect(listed.map((f) => f.name).sort()).toEqual([...files.keys()].sort());

  const page = await open(browser, url);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('3 files were shared with you');
  await expect(page.getByText('from the CLI')).toBeVisible();
  for (const [name, bytes] of files) {
    const r = row(page, name);
    await expect(r).toContainText(`Signed with minisign key ${keyId}`);
    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: `Download ${name}`, exact: true }).click()]);
    expect(await d.failure()).toBeNull();
    expect(d.suggestedFilename()).toBe(name.slice(name.lastIndexOf('/') + 1));
    const got = readFileSync((await d.path())!);
    expect(got.length).toBe(bytes.length);
    expect(sha256(got)).toBe(sha256(bytes));
    await expect(r.getByText('SHA-256 verified')).toBeVisible();
  }
});

test('browser send, CLI receive: three files and a password; byte-exact', async ({ browser }) => {
  test.setTimeout(240_000);
  const bigPath = path.join(dir, 'from-browser.bin');
  const big = new Uint8Array(randomBytes(20 * MiB + 7));
  writeFileSync(bigPath, big);
  const text = new TextEncoder().encode('Grüße aus dem Browser.\n'.repeat(100));
  const password = 'Ça va très bien, merci';

  const page = await open(browser, `${e2eBase()}/`);
  const link = await sendViaUi(
    page,
    [
      { name: 'from-browser.bin', bytes: big },
      { name: 'empty.txt', bytes: new Uint8Array(0) },
      { name: NON_ASCII, bytes: text },
    ],
    { password, downloads: 2 },
  );
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{22}#[A-Za-z0-9_-]{43}$/);

  // Consumes nothing, sees what the page sent.
  writeFileSync(path.join(dir, 'pw'), `${password.normalize('NFD')}\n`); // NFC on both sides
  const info = await cli(['info', '-', '--password-file', path.join(dir, 'pw'), '--json'], link);
  expect(info.code, info.stderr).toBe(0);
  const parsed = JSON.parse(info.stdout);
  expect(parsed.downloadsLeft).toBe(2);
  expect(parsed.files.map((f: { name: string }) => f.name).sort()).toEqual(['empty.txt', 'from-browser.bin', NON_ASCII].sort());

  const out = path.join(dir, 'received');
  const r = await cli(['receive', '-', '-o', out, '--password-file', path.join(dir, 'pw')], link);
  expect(r.code, r.stderr).toBe(0);
  expect(sha256(readFileSync(path.join(out, 'from-browser.bin')))).toBe(sha256(big));
  expect(readFileSync(path.join(out, 'empty.txt'))).toHaveLength(0);
  expect(sha256(readFileSync(path.join(out, NON_ASCII)))).toBe(sha256(text));

  // A wrong password is refused with exit 3 and saves nothing.
  writeFileSync(path.join(dir, 'bad'), 'not it\n');
  const bad = await cli(['receive', '-', '-o', path.join(dir, 'bad-out'), '--password-file', path.join(dir, 'bad')], link);
  expect(bad.code).toBe(3);
});
