// The X-Wing part of `npm run bench`: per-recipient encapsulate / decapsulate and
// wrap / unwrap of S, in this Node process and in headless Chromium (the page of
// packages/crypto/test/browser).
import { chromium } from '@playwright/test';

export async function benchXWingNode(rounds) {
  const { benchXWing } = await import('../../packages/crypto/bin/xwing-bench.ts');
  return benchXWing(rounds);
}

export async function benchXWingChromium(url, rounds) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'ready');
    return await page.evaluate((n) => window.sealdrop.benchXWing(n), rounds);
  } finally {
    await browser.close();
  }
}

export const formatXWing = (where, t) =>
  `${where.padEnd(8)} X-Wing per recipient (median of ${t.rounds}): encapsulate ${t.encapsulateMs} ms  decapsulate ${t.decapsulateMs} ms  wrap S ${t.wrapMs} ms  unwrap S ${t.unwrapMs} ms  (keygen ${t.keygenMs} ms)`;
