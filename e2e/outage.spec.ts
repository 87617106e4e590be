// The browser through a server outage (issue 17): an upload and a download each
// survive ~20 s of refused connections, resume soon after the server is back
// (the retry policy caps its back-off near 10 s) and end byte-exact; the download
// stays inside its one grant; going offline and online again wakes a waiting
// upload at once. The outage is every /api request refused, as when the stack is
// down; "back" is the moment requests pass again.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Route } from '@playwright/test';
import { ciphertextSize, HEADER_BYTES, SEALED_CHUNK_BYTES } from '@sealdrop/crypto';
import { SealdropClient } from '@sealdrop/shared';
import { fetchShareInNode } from './helpers/send-ui.ts';
import { MiB, PART_URL, useTempDir, randomFile, baseURL, journals, sha256 } from './helpers/send-page.ts';
import { e2eBase, seedShare } from './helpers/seed.ts';

useTempDir();

const OUTAGE_MS = 20_000;
/** The policy's cap (10 s) plus generous slack for a loaded machine. */
const RESUME_WITHIN_MS = 12_000 + 4_000;
const API = /\/api\//;

/** A switchable outage on `page`: while down, every /api request is refused. Records when requests leave. */
async function outage(page: Page) {
  const state = { down: false, backAt: 0, refused: 0, firstAfterBack: 0, firstAfterBackUrl: '', downOnPart: -1 };
  /** When each attempt of part `downOnPart` was refused. */
  const partRefusals: number[] = [];
  await page.route(API, (route: Route) => {
    // Down from the moment the page starts part `downOnPart` (earlier parts are in flight).
    if (state.downOnPart >= 0 && !state.backAt && route.request().url().endsWith(`/parts/${state.downOnPart}`)) state.down = true;
    if (state.down) {
      state.refused++;
      if (route.request().url().endsWith(`/parts/${state.downOnPart}`)) partRefusals.push(Date.now());
      return route.abort('connectionrefused');
    }
    if (state.backAt && !state.firstAfterBack) {
      state.firstAfterBack = Date.now();
      state.firstAfterBackUrl = `${route.request().method()} ${new URL(route.request().url()).pathname}`;
    }
    return route.continue();
  });
  return {
    state,
    partRefusals,
    downOnPart(n: number) {
      state.downOnPart = n;
    },
    up() {
      state.down = false;
      state.backAt = Date.now();
    },
    /** ms from "back" to the first request that left the page. */
    gap: () => state.firstAfterBack - state.backAt,
  };
}

test('an upload survives a 20 s outage mid-upload, resumes within ~12 s of the server coming back, byte-exact', async ({ page }) => {
  test.setTimeout(240_000);
  const p = randomFile('outage-up.bin', 56 * MiB); // 4 parts of 16 MiB, 3 in flight at once
  await page.goto('/');
  const net = await outage(page);
  // The server goes away when part 3 is about to leave: after part 0 is stored, mid-upload.
  net.downOnPart(3);
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.locator('.send-button').click();
  await expect.poll(() => net.state.down, { timeout: 120_000 }).toBe(true);
  const downAt = Date.now();
  await expect(page.getByTestId('send-waiting')).toContainText('Retrying in', { timeout: 30_000 });
  await page.waitForTimeout(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
  // Still waiting, not given up, no link yet.
  await expect(page.locator('.send-progress [role=alert]')).toHaveCount(0);
  await expect(page.locator('#send-link')).toHaveCount(0);
  net.up();
  const refusedDuringOutage = net.state.refused;

  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 180_000 });
  const waits = net.partRefusals.slice(1).map((t, k) => t - net.partRefusals[k]);
  console.log(
    `upload: ${refusedDuringOutage} requests refused in a ${OUTAGE_MS / 1000} s outage (part 3 waited ${waits.join(', ')} ms between attempts); first request ${net.gap()} ms after the server was back (${net.state.firstAfterBackUrl})`,
  );
  // The back-off between attempts never went past the cap (10 s), with slack for load.
  expect(waits.length).toBeGreaterThanOrEqual(2);
  for (const w of waits) expect(w).toBeLessThanOrEqual(10_000 + 2_000);
  expect(refusedDuringOutage).toBeGreaterThanOrEqual(2);
  expect(net.state.firstAfterBack).toBeGreaterThan(0);
  expect(net.gap()).toBeLessThanOrEqual(RESUME_WITHIN_MS);
  // What resumed was the part the outage stopped.
  expect(net.state.firstAfterBackUrl).toMatch(/^PUT .*\/files\/0\/parts\/3$/);

  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  // Nothing left behind: the resume journal is gone.
  expect(await journals(page)).toEqual([]);
});

// The old policy gave up after 8 attempts (22-45 s of waits) and needed a reload.
const LONG_OUTAGE_MS = 55_000;

test('an upload waits out an outage longer than the old retry budget, says when it retries, and Retry now continues at once', async ({ page }) => {
  test.setTimeout(300_000);
  const p = randomFile('outage-long.bin', 40 * MiB); // 3 parts
  await page.goto('/');
  const net = await outage(page);
  net.downOnPart(1);
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.locator('.send-button').click();
  await expect.poll(() => net.state.down, { timeout: 120_000 }).toBe(true);
  const downAt = Date.now();
  const waiting = page.getByTestId('send-waiting');
  await expect(waiting).toContainText(/Waiting for the server: sending part \d of "outage-long\.bin" failed \(the connection dropped\)\. Retrying in \d+ s\./, {
    timeout: 30_000,
  });
  await page.waitForTimeout(Math.max(0, LONG_OUTAGE_MS - (Date.now() - downAt)));
  // Past the old budget: part 1 failed at least 8 times, and the page still waits, with no error and no link.
  expect(net.partRefusals.length).toBeGreaterThanOrEqual(8);
  await expect(page.locator('.send-progress [role=alert]')).toHaveCount(0);
  await expect(page.locator('#send-link')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeEnabled();
  // The server is back while the page would wait a few more seconds: Retry now sends at once.
  await expect(waiting).toContainText(/Retrying in ([6-9]|1\d) s/, { timeout: 30_000 });
  const secondsLeft = Number(/Retrying in (\d+) s/.exec((await waiting.textContent()) ?? '')?.[1]);
  net.up();
  await waiting.getByRole('button', { name: 'Retry now' }).click();
  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 180_000 });
  console.log(
    `long outage: part 1 refused ${net.partRefusals.length} times over ${Math.round((net.partRefusals.at(-1)! - net.partRefusals[0]) / 1000)} s; after Retry now the first request left in ${net.gap()} ms (the page would have waited ${secondsLeft} s)`,
  );
  // Well before the scheduled attempt (the part is re-made, encrypted, before it leaves).
  expect(net.gap()).toBeLessThan((secondsLeft - 1) * 1000);
  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  expect(await journals(page)).toEqual([]);
});

test('going offline and online again makes a waiting upload retry at once', async ({ page, context }) => {
  test.setTimeout(240_000);
  const p = randomFile('outage-online.bin', 40 * MiB);
  await page.goto('/');
  // Parts 1 and 2 are refused until their back-off is long (the 5th retry waits 5-10 s).
  const refusals: number[] = [];
  let refuse = true;
  let backOnline = 0;
  let firstAfterOnline = 0;
  await page.route(PART_URL, (route) => {
    if (route.request().url().endsWith('/parts/0')) return route.continue();
    if (refuse) {
      if (route.request().url().endsWith('/parts/1')) refusals.push(Date.now());
      return route.abort('connectionrefused');
    }
    if (backOnline && !firstAfterOnline && route.request().url().endsWith('/parts/1')) firstAfterOnline = Date.now();
    return route.continue();
  });
  await page.getByTestId('send-files-input').setInputFiles(p);
  await page.locator('.send-button').click();
  await expect.poll(() => refusals.length, { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
  // The server is back, but the page would not look for another 5-10 s; the browser
  // drops offline and comes back online.
  refuse = false;
  await context.setOffline(true);
  await page.waitForTimeout(500);
  await context.setOffline(false);
  backOnline = Date.now();
  const sinceRefusal = backOnline - refusals[refusals.length - 1];

  const link = page.locator('#send-link');
  await expect(link).toBeVisible({ timeout: 180_000 });
  const gap = firstAfterOnline - backOnline;
  const sinceLastRefusal = firstAfterOnline - refusals[refusals.length - 1];
  console.log(`online wake: part 1 sent again ${gap} ms after "online", ${sinceLastRefusal} ms after its 5th refusal (its back-off alone would have waited 5000-10000 ms; online came ${sinceRefusal} ms after that refusal)`);
  expect(firstAfterOnline).toBeGreaterThan(0);
  expect(refusals.length).toBe(5);
  // Sooner than the shortest wait its back-off had left (5 s): the online event woke it.
  expect(sinceLastRefusal).toBeLessThan(5_000);
  expect(gap).toBeLessThan(3_000);
  const share = await fetchShareInNode(baseURL(), await link.inputValue());
  expect(Buffer.compare(Buffer.from(share.files[0]), readFileSync(p))).toBe(0);
  expect(await journals(page)).toEqual([]);
});

test('a download cut mid-file by a 20 s outage resumes inside the same grant: byte-exact, one download used', async ({ browser }) => {
  test.setTimeout(240_000);
  const bytes = new Uint8Array(randomBytes(20 * MiB + 123));
  const share = await seedShare({ files: [{ name: 'outage-down.bin', bytes }], maxDownloads: 2 });
  const ctx = await browser.newContext({ acceptDownloads: true });
  try {
    // Requests of the service worker pass through the context's routes.
    const state = { down: false, backAt: 0, refused: 0, firstAfterBack: 0 };
    const ranges: string[] = [];
    let grants = 0;
    await ctx.route('**/api/**', async (route) => {
      const req = route.request();
      if (state.down) {
        state.refused++;
        return route.abort('connectionrefused');
      }
      if (state.backAt && !state.firstAfterBack) state.firstAfterBack = Date.now();
      if (req.method() === 'POST' && req.url().endsWith('/download')) grants++;
      if (!/\/files\/\d+$/.test(new URL(req.url()).pathname)) return route.continue();
      ranges.push(req.headers()['range'] ?? 'whole');
      if (ranges.length > 1) return route.continue();
      // The first file request: the connection dies after half of the ciphertext, and
      // the server stays unreachable for OUTAGE_MS.
      const res = await route.fetch();
      const half = (await res.body()).subarray(0, Math.floor(ciphertextSize(bytes.length) / 2));
      state.down = true;
      setTimeout(() => {
        state.down = false;
        state.backAt = Date.now();
      }, OUTAGE_MS);
      await route.fulfill({ status: res.status(), headers: { ...res.headers(), 'content-length': String(half.length) }, body: half });
    });
    const page = await ctx.newPage();
    await page.goto(share.url);
    const [d] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Download outage-down.bin', exact: true }).click(),
    ]);
    const failure = await d.failure();
    expect(failure, `download failed; the page says: ${(await page.getByRole('alert').allTextContents()).join(' | ')}`).toBeNull();
    const got = readFileSync((await d.path())!);
    console.log(`download: ${state.refused} requests refused in a ${OUTAGE_MS / 1000} s outage; first request ${state.firstAfterBack - state.backAt} ms after the server was back; file requests ${ranges.join(', ')}`);
    expect(sha256(got)).toBe(sha256(bytes));
    expect(state.refused).toBeGreaterThanOrEqual(2);
    expect(state.firstAfterBack - state.backAt).toBeLessThanOrEqual(RESUME_WITHIN_MS);
    // Resumed with Range under the one grant taken, from the last whole chunk that
    // authenticated and reached the disk (never past where the cut was): one engine
    // for the browser and the CLI.
    expect(ranges[0]).toBe('whole');
    const start = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(start).toBeGreaterThan(HEADER_BYTES);
    expect((start - HEADER_BYTES) % SEALED_CHUNK_BYTES).toBe(0);
    expect(start).toBeLessThanOrEqual(Math.floor(ciphertextSize(bytes.length) / 2));
    expect(start).toBeGreaterThan(Math.floor(ciphertextSize(bytes.length) / 2) - SEALED_CHUNK_BYTES); // every whole chunk that came in was kept
    expect(ranges.slice(1).every((r) => r === ranges[1])).toBe(true);
    expect(grants).toBe(1);
    const status = await new SealdropClient(e2eBase()).ownerStatus(share.id, share.ownerToken);
    expect(status.downloadsUsed).toBe(1);
  } finally {
    await ctx.close();
  }
});
