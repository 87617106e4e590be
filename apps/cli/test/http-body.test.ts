// The CLI's response bodies (src/transfer/http.ts): a download that a server
// writes 4 KiB at a time reaches the receive pipeline in pieces of about 256 KiB
// (issue 11: each piece costs every stage once), byte-exact, with back-pressure;
// a body cut short fails as a transient error (the engine resumes it with Range).
// A real node:http server on a loopback port of the OS's choosing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { classify } from '@sealdrop/transfer';
import { cliFetch } from '../src/transfer/http.ts';

const body = randomBytes(3 * 1024 * 1024 + 1234);
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    res.writeHead(200, { 'content-length': String(body.length) });
    const cut = req.url === '/cut';
    for (let off = 0; off < body.length; off += 4096) {
      if (cut && off >= 1024 * 1024) return req.socket.destroy();
      if (!res.write(body.subarray(off, off + 4096))) await new Promise((r) => res.once('drain', r));
      if (off % (64 * 4096) === 0) await new Promise((r) => setTimeout(r, 2));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('a body written 4 KiB at a time arrives whole, in pieces of about 256 KiB', async () => {
  const res = await cliFetch(`${base}/whole`);
  const pieces: number[] = [];
  const hash = createHash('sha256');
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pieces.push(value.length);
    hash.update(value);
    await new Promise((r) => setTimeout(r, 1)); // a reader busy with its piece
  }
  expect(hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  // All but the last piece gathered at least 256 KiB, and none more than the 1 MiB bound plus one read.
  for (const n of pieces.slice(0, -1)) expect(n).toBeGreaterThanOrEqual(256 * 1024);
  for (const n of pieces) expect(n).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
  expect(pieces.length).toBeLessThan(body.length / (128 * 1024));
});

test('a body cut short by the server fails the read as a transient error, after the bytes that came', async () => {
  const res = await cliFetch(`${base}/cut`);
  const reader = res.body!.getReader();
  let got = 0;
  const err = await (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return null;
        got += value.length;
      }
    } catch (e) {
      return e;
    }
  })();
  expect(err).not.toBeNull();
  expect(classify(err)).toBe('transient');
  expect(got).toBeLessThanOrEqual(1024 * 1024);
});
