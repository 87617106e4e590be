// The one error classification and retry policy, and the typed limit problems.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CobblestoneError, LinkError, ManifestError, SourceChangedError } from '@sealdrop/crypto';
import { ApiError, type ConfigResponse } from '@sealdrop/shared';
import { describe, expect, it } from 'vitest';
import { classify, createMayBeRetried, createWakeup, planSend, RETRY_POLICY, retryDelay, TransferError, UNTIL_CANCELLED, withRetry, type Connectivity } from '../src/index.ts';

const api = (status: number, code = 'internal') => new ApiError(status, code as never, 'x');

describe('classify', () => {
  it.each([
    [api(0, 'network'), 'transient'],
    [api(408), 'transient'],
    [api(429, 'rate_limited'), 'transient'],
    [api(500), 'transient'],
    [api(503, 'unavailable'), 'transient'],
    [api(404, 'not_found'), 'gone'],
    [api(410, 'expired'), 'gone'],
    [api(410, 'revoked'), 'gone'],
    [api(401, 'unauthorized'), 'unauthorized'],
    [api(403, 'forbidden'), 'forbidden'],
    [api(400, 'bad_request'), 'input'],
    [api(409, 'conflict'), 'input'],
    [api(413, 'too_large'), 'input'],
    [new TypeError('fetch failed'), 'transient'],
    [Object.assign(new Error('socket'), { code: 'ECONNRESET' }), 'transient'],
    [Object.assign(new Error('x'), { cause: { code: 'UND_ERR_SOCKET' } }), 'transient'],
    [new CobblestoneError('auth', 'chunk 3 did not authenticate'), 'integrity'],
    [new ManifestError('bad'), 'integrity'],
    [new LinkError('no key'), 'integrity'],
    [new SourceChangedError(1), 'input'],
    [new TransferError('gone', 'upload_gone', 'x'), 'gone'],
    [new Error('a bug'), 'input'],
  ])('%s is %s', (e, kind) => {
    expect(classify(e)).toBe(kind);
  });
});

describe('retry policy', () => {
  it('doubles from the base, is capped near 10 s, and jitters within [d/2, d]', () => {
    const p = { ...RETRY_POLICY };
    expect(retryDelay(1, null, p, () => 1)).toBe(1000);
    expect(retryDelay(2, null, p, () => 1)).toBe(2000);
    expect(retryDelay(3, null, p, () => 0)).toBe(2000);
    for (let a = 1; a < 40; a++) expect(retryDelay(a, null, p, Math.random)).toBeLessThanOrEqual(10_000);
    expect(retryDelay(30, null, p, () => 0)).toBe(5000);
  });

  it('honours Retry-After, up to its own cap', () => {
    expect(retryDelay(1, new ApiError(429, 'rate_limited', 'x', 30), RETRY_POLICY, () => 0)).toBe(30_000);
    expect(retryDelay(1, new ApiError(429, 'rate_limited', 'x', 86_400), RETRY_POLICY, () => 0)).toBe(15 * 60_000);
  });

  it('retries transient failures up to the attempts, and a real answer not at all', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw api(502); }, { policy: { baseMs: 1, attempts: 4 } })).rejects.toThrow();
    expect(calls).toBe(4);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw api(409, 'conflict'); }, { policy: { baseMs: 1 } })).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    expect(await withRetry(async () => (++calls < 3 ? Promise.reject(new TypeError('x')) : 'ok'), { policy: { baseMs: 1 } })).toBe('ok');
    expect(calls).toBe(3);
  });

  it('offline, waiting uses up no attempt, and coming back online retries at once', async () => {
    let online = false;
    const waiters = new Set<() => void>();
    const connectivity: Connectivity = { online: () => online, whenOnline: (fn) => (waiters.add(fn), () => waiters.delete(fn)) };
    let calls = 0;
    const started = Date.now();
    const p = withRetry(
      async () => {
        calls++;
        if (!online) throw new TypeError('offline');
        return 'sent';
      },
      { policy: { baseMs: 60_000, capMs: 60_000, attempts: 2 }, connectivity },
    );
    // Several offline failures (far more than `attempts`) while waiting for the network.
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setTimeout(r, 20));
      for (const w of [...waiters]) w(); // a spurious wake while still offline
    }
    online = true;
    for (const w of [...waiters]) w();
    expect(await p).toBe('sent');
    expect(calls).toBeGreaterThan(3); // more failures than the 2 attempts, none of them final
    expect(Date.now() - started).toBeLessThan(30_000); // did not wait out a 60 s back-off
  });

  it('UNTIL_CANCELLED waits out an outage far past the attempts, and ends only on a real answer or the signal', async () => {
    let calls = 0;
    // 40 failures in a row (5 times the default attempts), then the server is back.
    expect(await withRetry(async () => (++calls <= 40 ? Promise.reject(api(0, 'network')) : 'stored'), { policy: { ...UNTIL_CANCELLED, baseMs: 1, capMs: 2 } })).toBe('stored');
    expect(calls).toBe(41);
    calls = 0;
    await expect(withRetry(async () => (++calls < 20 ? Promise.reject(api(503, 'unavailable')) : Promise.reject(api(409, 'conflict'))), { policy: { ...UNTIL_CANCELLED, baseMs: 1, capMs: 2 } })).rejects.toMatchObject({ status: 409 });
    expect(calls).toBe(20);
    const stop = new AbortController();
    calls = 0;
    const forever = withRetry(async () => (++calls === 30 && stop.abort(new DOMException('cancelled', 'AbortError')), Promise.reject(new TypeError('refused'))), {
      policy: { ...UNTIL_CANCELLED, baseMs: 1, capMs: 2 },
      signal: stop.signal,
    });
    await expect(forever).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(30); // Cancel ended it: no attempt after
  });

  it('a wake-up ("Retry now") ends every wait at once', async () => {
    const wakeup = createWakeup();
    const started = Date.now();
    const lanes = Array.from({ length: 100 }, () => {
      let calls = 0;
      return withRetry(async () => (++calls === 1 ? Promise.reject(api(0, 'network')) : calls), { policy: { ...UNTIL_CANCELLED, baseMs: 60_000, capMs: 60_000 }, wakeup });
    });
    await new Promise((r) => setTimeout(r, 50));
    wakeup.wake();
    expect(await Promise.all(lanes)).toEqual(lanes.map(() => 2));
    expect(Date.now() - started).toBeLessThan(5_000); // none waited out its 30-60 s back-off
  });

  it('a create is retried only on an answer that says nothing was made', () => {
    expect(createMayBeRetried(api(429, 'rate_limited'))).toBe(true);
    expect(createMayBeRetried(api(503, 'unavailable'))).toBe(true);
    expect(createMayBeRetried(api(500))).toBe(false);
    expect(createMayBeRetried(api(502))).toBe(false);
    expect(createMayBeRetried(api(0, 'network'))).toBe(false);
    expect(createMayBeRetried(new TypeError('lost'))).toBe(false);
  });
});

describe('planSend', () => {
  const config = { maxFileBytes: 1000, maxShareBytes: 1500, maxFiles: 2, maxExpirySeconds: 3600, defaultExpirySeconds: 600, maxDownloads: 10, uploadPolicy: 'token', partBytes: 5 << 20 } as unknown as ConfigResponse;
  it('returns each problem typed, for the app to word', () => {
    expect(planSend(config, { files: [] })).toEqual([{ kind: 'no_files' }]);
    expect(planSend(config, { files: [], note: 'only a note', uploadToken: 't' })).toEqual([]); // a note may go on its own
    const problems = planSend(config, { files: [{ name: 'a', size: 990 }, { name: 'b', size: 800 }, { name: 'a', size: 1 }], expiresIn: 7200, maxDownloads: 11 });
    expect(problems.map((p) => p.kind)).toEqual(['bad_names', 'too_many_files', 'file_too_large', 'share_too_large', 'expiry_too_long', 'too_many_downloads', 'token_required']);
    expect(planSend(config, { files: [{ name: 'a', size: 10 }], expiresIn: 60, maxDownloads: 1, uploadToken: 't' })).toEqual([]);
  });
});

describe('the engine is universal', () => {
  it('imports nothing from Node or the DOM, and keeps no module-level state', () => {
    const dir = path.join(import.meta.dirname, '../src');
    for (const f of readdirSync(dir)) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/from ['"]node:|from ['"](fs|path|os|crypto|http|https|stream)['"]/);
      expect(text, f).not.toMatch(/\b(window|document|navigator|localStorage|indexedDB|process)\./);
      expect(text, f).not.toMatch(/^(let|var) /m);
    }
  });
});
