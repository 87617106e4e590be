// Resuming an interrupted upload after a reload: finished parts are not sent
// again, a changed file restarts, the password is asked again, another tab's
// running upload is not offered, old journals are forgotten, one an older version
// wrote restarts its file, a finalize whose answer was lost finishes.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, utimesSync, writeSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { b64uDecode, b64uEncode, bytesSource, ciphertextSize, deriveMessageKeys, deriveShareKeys, encryptRange, parseLinkSecret, shareContext } from '@sealdrop/crypto';
import { fetchShareInNode } from './helpers/send-ui.ts';
import { MiB, LINK_RE, useTempDir, randomFile, baseURL, recordPuts, journals, putJournal, startUploadStuckAfterPart0, interruptAfterFirstPart } from './helpers/send-page.ts';

useTempDir();

test('after a reload, re-selecting the same file resumes without re-sending finished parts', async ({ page }) => {
  const p = randomFile('resume.bin', 40 * MiB);
  const before = await interruptAfterFirstPart(page, p);
  const puts = recordPuts(page);
  await page.getByTestId('send-files-input').setInputFiles(p);
  await expect(page.locator('.send-resume')).toContainText('found');
  await page.getByRole('button', { name: 'Resume the interrupted upload' }).click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 120_000 });
  const url = await link.inputValue();
  expect(LINK_RE.exec(url)![1]).toBe(before.id);
  expect(puts.sort()).toEqual(['0:1', '0:2']);
  const share = await fetchShareInNode(baseURL(), url);
  // Same message as before the reload: the salt recorded in the journal.
  expect(b64uEncode(share.ciphertexts[0].subarray(0, 24))).toBe(before.salts[0]);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  // The manifest's SHA-256 is of the whole plaintext, though this run read only the parts it re-checked and sent.
  expect(share.manifest.files[0].sha256).toBe(createHash('sha256').update(readFileSync(p)).digest('hex'));
  expect(await journals(page)).toEqual([]);
});

test('after a reload, a file that changed (same size and date) restarts from part 0 with a fresh salt', async ({ page }) => {
  const p = randomFile('changed.bin', 40 * MiB);
  const before = await interruptAfterFirstPart(page, p);
  // Change the first bytes, keep the size and the modification time: only the
  // part digests can tell.
  const { mtime, atime } = statSync(p);
  const fd = openSync(p, 'r+');
  writeSync(fd, randomBytes(4096), 0, 4096, 0);
  closeSync(fd);
  utimesSync(p, atime, mtime);

  const puts = recordPuts(page);
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.getByRole('button', { name: 'Resume the interrupted upload' }).click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 120_000 });
  expect(puts.sort()).toEqual(['0:0', '0:1', '0:2']);
  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(b64uEncode(share.ciphertexts[0].subarray(0, 24))).not.toBe(before.salts[0]);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  // Of the file as it is now (part 0 was read twice: re-checked, then sent again).
  expect(share.manifest.files[0].sha256).toBe(createHash('sha256').update(readFileSync(p)).digest('hex'));
});

test('resuming a password-protected upload asks for the password again and checks it', async ({ page }) => {
  const p = randomFile('pw-resume.bin', 20 * MiB);
  const password = 'velvet-harbor-tulip-ember-quiet';
  const before = await interruptAfterFirstPart(page, p, { parts: 2, password });
  // The journal never holds the password or a key derived from it.
  expect(JSON.stringify(before)).not.toContain(password);
  await page.getByTestId('send-files-input').setInputFiles(p);
  const resume = page.getByRole('button', { name: 'Resume the interrupted upload' });
  await expect(resume).toBeDisabled();
  await page.getByLabel('Password of this upload').fill('wrong-password');
  await resume.click();
  await expect(page.locator('.send-resume [role=alert]')).toContainText('not the password this upload was started with', { timeout: 30_000 });
  const puts = recordPuts(page);
  await page.getByLabel('Password of this upload').fill(password);
  await resume.click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 120_000 });
  expect(puts).toEqual(['0:1']);
  const share = await fetchShareInNode(baseURL(), await link.inputValue(), password);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
});

test('another tab does not offer to resume an upload that is still running; after it closes, Discard revokes it', async ({ page, context }) => {
  const p = randomFile('two-tabs.bin', 20 * MiB);
  const journal = await startUploadStuckAfterPart0(page, p);

  const other = await context.newPage();
  await other.goto('/');
  await expect(other.getByRole('button', { name: 'Choose files' })).toBeVisible();
  await other.waitForTimeout(1000);
  await expect(other.getByRole('heading', { name: 'An upload was interrupted' })).toHaveCount(0);

  await page.close();
  await other.reload();
  await expect(other.getByRole('heading', { name: 'An upload was interrupted' })).toBeVisible();
  const revoke = other.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/api/shares/${journal.id}`));
  await other.getByRole('button', { name: 'Discard it' }).click();
  expect((await revoke).ok()).toBe(true);
  await expect(other.getByRole('heading', { name: 'An upload was interrupted' })).toHaveCount(0);
  expect(await journals(other)).toEqual([]);
});

test('a journal older than the server keeps unfinished shares (24 h) is forgotten, not offered', async ({ page }) => {
  const p = randomFile('stale.bin', 20 * MiB);
  const journal = await interruptAfterFirstPart(page, p, { parts: 2 });
  // The same journal, as if the tab had been closed two days ago.
  await putJournal(page, { ...journal, createdAt: new Date(Date.now() - 48 * 3600_000).toISOString() });
  await page.reload();
  await expect(page.getByRole('button', { name: 'Choose files' })).toBeVisible();
  await expect.poll(() => journals(page)).toEqual([]);
  await expect(page.getByRole('heading', { name: 'An upload was interrupted' })).toHaveCount(0);
});

test('a journal an older version wrote (whole-part SHA-256s, no digest mark) restarts its file from part 0 with a fresh salt', async ({ page }) => {
  const p = randomFile('older.bin', 40 * MiB);
  const before = await interruptAfterFirstPart(page, p);
  // The same journal as the previous version kept it.
  const [j] = (await journals(page)) as unknown as (Record<string, unknown> & { id: string; secret: string; partBytes: number; salts: string[]; partDigests: (string | null)[][] })[];
  expect(j.partDigest).toBe('sealdrop/part-digest/v2');
  delete j.partDigest;
  const plain = readFileSync(p);
  const keys = await deriveMessageKeys(await (await deriveShareKeys(parseLinkSecret(j.secret), null)).fileKey(0), b64uDecode(j.salts[0], 24), shareContext(j.id));
  const total = ciphertextSize(plain.length);
  j.partDigests[0][0] = createHash('sha256').update(await encryptRange(bytesSource(plain), keys, 0, Math.min(total, j.partBytes))).digest('hex');
  await putJournal(page, j);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'An upload was interrupted' })).toBeVisible();
  const puts = recordPuts(page);
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.getByRole('button', { name: 'Resume the interrupted upload' }).click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 120_000 });
  expect(LINK_RE.exec(await link.inputValue())![1]).toBe(before.id);
  expect(puts.sort()).toEqual(['0:0', '0:1', '0:2']);
  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(b64uEncode(share.ciphertexts[0].subarray(0, 24))).not.toBe(before.salts[0]);
  expect(Buffer.compare(Buffer.from(share.files[0]), plain)).toBe(0);
});

test('a file whose size changed cannot join the interrupted share: it is cancelled, with a reason', async ({ page }) => {
  const p = randomFile('resized.bin', 20 * MiB);
  const before = await interruptAfterFirstPart(page, p, { parts: 2 });
  const fd = openSync(p, 'a');
  writeSync(fd, Buffer.from('one more line\n'));
  closeSync(fd);
  const revoke = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(`/api/shares/${before.id}`));
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.getByRole('button', { name: 'Resume the interrupted upload' }).click();
  await expect(page.getByRole('alert')).toContainText('changed size since the upload began', { timeout: 30_000 });
  expect((await revoke).ok()).toBe(true);
  await expect(page.getByRole('heading', { name: 'An upload was interrupted' })).toHaveCount(0);
  expect(await journals(page)).toEqual([]);
  // The file stays selected, ready to be sent as a new share.
  await expect(page.locator('.send-file-list li')).toHaveCount(1);
});

test('a finalize whose answer was lost (page reloaded after it left) finishes on resume with the same sealed manifest', async ({ page }) => {
  const p = randomFile('lost-finalize.bin', 3 * MiB);
  await page.goto('/');
  // The finalize request reaches the server and finalizes the share; its answer never comes back.
  const sent: string[] = [];
  await page.route(/\/api\/shares\/[^/]+\/finalize$/, async (route) => {
    sent.push(JSON.parse(route.request().postData() ?? '{}').manifest);
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.locator('.send-button').click();
  await expect.poll(() => sent.length, { timeout: 60_000 }).toBeGreaterThan(0);
  const [journal] = await journals(page);
  expect(journal.manifest).toBe(sent[0]); // sealed once, kept before finalize was sent
  await page.reload();
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(page.getByRole('heading', { name: 'An upload was interrupted' })).toBeVisible();
  const puts = recordPuts(page);
  const finalizes: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/finalize')) finalizes.push(JSON.parse(r.postData() ?? '{}').manifest);
  });
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.getByRole('button', { name: 'Resume the interrupted upload' }).click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const url = await link.inputValue();
  expect(LINK_RE.exec(url)![1]).toBe(journal.id);
  expect(puts).toEqual([]);
  expect(finalizes).toEqual([sent[0]]);
  const share = await fetchShareInNode(baseURL(), url);
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  expect(await journals(page)).toEqual([]);
});
