// Registering the /dl/ download service worker (download.ts streams through it).
// Kept apart from download.ts, with no imports, so the entry (main.tsx) can start
// the registration on a share link before the rest of the app's code has loaded.

let swReady: Promise<ServiceWorker | null> | null = null;

function hasServiceWorker(): boolean {
  return 'serviceWorker' in navigator && window.isSecureContext;
}

function activeWorker(reg: ServiceWorkerRegistration, timeoutMs: number): Promise<ServiceWorker | null> {
  if (reg.active) return Promise.resolve(reg.active);
  const w = reg.installing ?? reg.waiting;
  if (!w) return Promise.resolve(null);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(reg.active), timeoutMs);
    w.addEventListener('statechange', () => {
      if (w.state === 'activated') {
        clearTimeout(t);
        resolve(reg.active ?? w);
      } else if (w.state === 'redundant') {
        clearTimeout(t);
        resolve(reg.active);
      }
    });
  });
}

/** Registers /dl/sw.js (scope /dl/) once; null where service workers are unavailable. Safe to call early. */
export function prepareServiceWorker(): Promise<ServiceWorker | null> {
  if (!hasServiceWorker()) return Promise.resolve(null);
  swReady ??= navigator.serviceWorker
    .register('/dl/sw.js', { scope: '/dl/' })
    .then((reg) => activeWorker(reg, 10_000))
    .catch(() => null);
  return swReady;
}
