// Sending through the real page, for any e2e test that needs a share made by the
// web app, and a Node-side reader that downloads and decrypts a share with the
// protocol library and the shared client (independent of the receive page).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type JSHandle, type Page } from '@playwright/test';
import {
  decryptMessage,
  deriveShareKeys,
  derivePasswordKey,
  b64uDecode,
  openManifest,
  parseLinkSecret,
  shareContext,
  signAccess,
  type Manifest,
} from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';

export interface SendUiFile {
  /** Name as the page sees it (for `path`, the base name of the file unless given). */
  name?: string;
  /** A file on disk (fast for big files: Playwright hands the path to Chromium). */
  path?: string;
  bytes?: Uint8Array;
  mimeType?: string;
}

export interface SendUiOptions {
  /** '5 minutes' | '1 hour' | '1 day' | '7 days' (default: the page's, 1 day). */
  expiry?: string;
  /** 1, 2, 5, 10 or 100 (default: the page's, 1). */
  downloads?: number;
  password?: string;
  remember?: boolean;
  /** How long to wait for the link (ms). */
  timeout?: number;
  /** v1.1: public keys (sealdrop-pq1:…) to seal the share to, pasted one by one. */
  recipients?: string[];
  /** Owner receipts: the URL typed into the options' "Notify a URL of downloads". */
  notify?: string;
}

/** Picks `files` on "/", sets the options, sends, and returns the link shown. */
export async function sendViaUi(page: Page, files: SendUiFile[], opts: SendUiOptions = {}): Promise<string> {
  // A fresh send page unless this one is already waiting for files.
  const onSendPage = page.url().startsWith('http') && new URL(page.url()).pathname === '/';
  if (!onSendPage || (await page.getByTestId('send-files-input').count()) === 0) await page.goto('/');
  // setInputFiles takes either paths or in-memory files, not a mix.
  const asPaths = files.every((f) => f.path && (!f.name || f.name === path.basename(f.path)));
  if (asPaths) await page.getByTestId('send-files-input').setInputFiles(files.map((f) => f.path!));
  else
    await page.getByTestId('send-files-input').setInputFiles(
      files.map((f) => ({
        name: f.name ?? path.basename(f.path ?? 'file'),
        mimeType: f.mimeType ?? 'application/octet-stream',
        buffer: f.bytes ? Buffer.from(f.bytes) : readFileSync(f.path!),
      })),
    );
  await expect(page.locator('.send-file-list li')).toHaveCount(files.length);
  if (opts.expiry) await page.getByLabel('Link expires after').selectOption({ label: opts.expiry });
  if (opts.downloads) await page.getByLabel('Download limit').selectOption(String(opts.downloads));
  if (opts.password) await page.getByLabel(/^Password/).fill(opts.password);
  if (opts.remember) await page.getByLabel('Remember links on this device').check();
  if (opts.notify) await page.getByLabel('Notify a URL of downloads (optional)').fill(opts.notify);
  for (const key of opts.recipients ?? []) {
    await page.getByLabel('Public key (sealdrop-pq1:…)').fill(key);
    await page.getByRole('button', { name: 'Add key' }).click();
  }
  if (opts.recipients) await expect(page.getByRole('list', { name: 'Recipient keys' }).getByRole('listitem')).toHaveCount(opts.recipients.length);
  await page.locator('.send-button').click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: opts.timeout ?? 120_000 });
  return link.inputValue();
}

/**
 * The DataTransfer of a real drop: an empty file, a file from disk (handed over
 * through a hidden <input> of the test's own, not the app's, so it is disk-backed as
 * a user's file would be) and a small text file with the given name.
 */
export async function dropTransfer(page: Page, diskPath: string, name: string, text: string): Promise<JSHandle<DataTransfer>> {
  await page.evaluate(() => {
    const carrier = document.createElement('input');
    carrier.type = 'file';
    carrier.id = 'e2e-carrier';
    carrier.hidden = true;
    document.body.append(carrier);
  });
  await page.setInputFiles('#e2e-carrier', diskPath);
  return page.evaluateHandle(
    ({ name, text }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([], 'empty.txt', { type: 'text/plain' }));
      dt.items.add((document.getElementById('e2e-carrier') as HTMLInputElement).files![0]);
      dt.items.add(new File([text], name, { type: 'text/plain' }));
      return dt;
    },
    { name, text },
  );
}

export interface DecryptedShare {
  id: string;
  manifest: Manifest;
  files: Uint8Array[];
  /** Ciphertext of each file as stored (to look at salts, sizes). */
  ciphertexts: Uint8Array[];
}

/** Downloads (spends one download) and decrypts a share from Node, as the CLI would. */
export async function fetchShareInNode(baseUrl: string, link: string, password?: string): Promise<DecryptedShare> {
  const url = new URL(link);
  const id = url.pathname.split('/').pop()!;
  const client = new SealdropClient(baseUrl);
  const info = await client.shareInfo(id);
  const pw = info.password ? await derivePasswordKey(password ?? '', b64uDecode(info.password.salt, 16), info.password.kdf) : null;
  const keys = await deriveShareKeys(parseLinkSecret(url.hash.slice(1)), pw);
  const grant = await client.download(id, signAccess(keys, 'download', id, info.challenge));
  const manifest = await openManifest(keys, id, b64uDecode(grant.manifest));
  const files: Uint8Array[] = [];
  const ciphertexts: Uint8Array[] = [];
  for (const [i] of manifest.files.entries()) {
    const ct = new Uint8Array(await (await client.file(id, i, grant.grant)).arrayBuffer());
    ciphertexts.push(ct);
    files.push(await decryptMessage(await keys.fileKey(i), ct, { context: shareContext(id), aead: 'AEAD_AES_256_GCM' }));
  }
  return { id, manifest, files, ciphertexts };
}
