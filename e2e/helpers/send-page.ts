// What the send-page specs share: temporary random files, the part uploads a
// page made, the IndexedDB journals, and an upload interrupted after part 0.
import { execSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

export const MiB = 1024 * 1024;
export const PART_URL = /\/api\/shares\/[^/]+\/files\/\d+\/parts\/\d+$/;
export const LINK_RE = /^http:\/\/127\.0\.0\.1:\d+\/s\/([A-Za-z0-9_-]{22})#([A-Za-z0-9_-]{43})$/;
export const UNICODE_NAME = 'Ünïcødé – 報告.txt';
export const screenshots = path.resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');

let dir = '';
/** Call at the top of a spec: a temporary folder for its files, removed after. */
export function useTempDir(): void {
  test.beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-send-e2e-'));
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));
}
export const tempPath = (...p: string[]) => path.join(dir, ...p);

/** A file of random bytes written in 1 MiB pieces (never all in memory). */
export function randomFile(name: string, size: number): string {
  const p = path.join(dir, name);
  const fd = openSync(p, 'w');
  for (let done = 0; done < size; done += MiB) writeSync(fd, randomBytes(Math.min(MiB, size - done)));
  closeSync(fd);
  return p;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const baseURL = () => test.info().project.use.baseURL!;

/** Part uploads seen by the page: "file:part" for each PUT that left the browser. */
export function recordPuts(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PUT' && PART_URL.test(r.url())) seen.push(r.url().split('/files/')[1].replace('/parts/', ':'));
  });
  return seen;
}

export async function journals(page: Page): Promise<{ id: string; salts: string[]; partDigests: (string | null)[][]; manifest?: string | null }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('sealdrop-send');
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains('journals')) return resolve([]);
          const get = db.transaction('journals').objectStore('journals').getAll();
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );
}

/** Writes `journal` into the page's IndexedDB as the send journal store holds it (a journal as another time or version left it). */
export async function putJournal(page: Page, journal: object): Promise<void> {
  await page.evaluate(
    (j) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('sealdrop-send');
        req.onsuccess = () => {
          const tx = req.result.transaction('journals', 'readwrite');
          tx.objectStore('journals').put(j);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    journal,
  );
}

export const myLinks = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('sealdrop.myLinks.v1') ?? '[]') as { id: string; ownerToken: string; url?: string }[]);

/**
 * Starts sending `file` with only part 0 let through: every other part fails
 * (the page keeps retrying them with back-off) until the caller removes the
 * route. Returns the upload's journal once part 0 is on the server.
 */
export async function startUploadStuckAfterPart0(page: Page, file: string, password?: string) {
  await page.goto('/');
  await page.route(PART_URL, (route) => (route.request().url().endsWith('/parts/0') ? route.continue() : route.abort('connectionreset')));
  const part0 = page.waitForResponse((r) => r.url().endsWith('/parts/0') && r.request().method() === 'PUT' && r.ok());
  await page.getByTestId('send-files-input').setInputFiles(file);
  if (password) await page.getByLabel(/^Password/).fill(password);
  await page.locator('.send-button').click();
  await part0;
  const [journal] = await journals(page);
  return journal;
}

/** Starts a multi-part upload, lets part 0 finish, fails every other part, then reloads. */
export async function interruptAfterFirstPart(page: Page, file: string, opts: { parts?: number; password?: string } = {}) {
  const journal = await startUploadStuckAfterPart0(page, file, opts.password);
  await expect(page.getByTestId('send-waiting')).toContainText('Retrying in');
  expect(journal.partDigests[0].length).toBe(opts.parts ?? 3);
  expect(journal.partDigests[0][0]).toMatch(/^[0-9a-f]{64}$/);
  await page.reload();
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(page.getByRole('heading', { name: 'An upload was interrupted' })).toBeVisible();
  return journal;
}

/** Resident memory (MiB) of the processes this test worker started: the browser's. */
export function browserRssMiB(): number {
  const rows = execSync('ps -eo pid=,ppid=,rss=').toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const mine = new Set<number>();
  const stack = [process.pid];
  while (stack.length) {
    const p = stack.pop()!;
    for (const [c, pp] of rows) if (pp === p && !mine.has(c)) mine.add(c), stack.push(c);
  }
  return Math.round(rows.filter(([p]) => mine.has(p)).reduce((n, r) => n + r[2], 0) / 1024);
}
