// A small HTTP proxy in front of the stack that misbehaves on purpose, to test
// the CLI's retries and Range resume against real network failures.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ProxyRule {
  /** Decides per request; return 'pass', 'cut' (drop the connection after `afterBytes` of the answer) or a status to answer with. */
  (req: http.IncomingMessage, n: number):
    | { action: 'pass' }
    | { action: 'cut'; afterBytes: number }
    /** Pass `afterBytes` of the answer, then send nothing more and keep the connection open. */
    | { action: 'stall'; afterBytes: number }
    /** Forward the request with only its first `afterBytes` body bytes, then hold it open (a send in flight). */
    | { action: 'holdBody'; afterBytes: number }
    | { action: 'status'; status: number }
    | { action: 'json'; edit: (body: any) => unknown }
    | { action: 'hang' }
    | { action: 'throttle'; bytesPerSecond: number; onBytes?: (n: number) => void };
}

export interface Proxy {
  url: string;
  requests: { method: string; url: string; range: string | undefined }[];
  close(): Promise<void>;
}

export async function startProxy(upstream: string, port: number, rule: ProxyRule): Promise<Proxy> {
  const target = new URL(upstream);
  const requests: Proxy['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, range: req.headers.range });
    const decision = rule(req, requests.length);
    if (decision.action === 'hang') {
      req.resume(); // take the body, never answer
      return;
    }
    if (decision.action === 'status') {
      req.resume();
      res.writeHead(decision.status, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: decision.status === 503 ? 'unavailable' : 'internal', message: 'injected by the test proxy' } }));
      return;
    }
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upRes) => {
        if (decision.action === 'json') {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.from(JSON.stringify(decision.edit(JSON.parse(Buffer.concat(chunks).toString('utf8')))));
            res.writeHead(upRes.statusCode!, { ...upRes.headers, 'content-length': String(body.length) });
            res.end(body);
          });
          return;
        }
        res.writeHead(upRes.statusCode!, upRes.headers);
        if (decision.action === 'throttle') {
          // A slow reader: upstream is paused whenever it is ahead of the rate; a cut upstream cuts the client too.
          // The pace never banks credit (a slow start is not caught up at full speed later), so the
          // reader never drains a burst that would let the kernel grow the socket's receive window.
          let due = Date.now();
          upRes.on('data', (chunk: Buffer) => {
            res.write(chunk);
            decision.onBytes?.(chunk.length);
            due = Math.max(due, Date.now()) + (chunk.length / decision.bytesPerSecond) * 1000;
            const ahead = due - Date.now();
            if (ahead > 0) {
              upRes.pause();
              setTimeout(() => upRes.resume(), ahead);
            }
          });
          upRes.on('end', () => res.end());
          upRes.on('close', () => {
            if (!upRes.complete) res.destroy();
          });
        } else if (decision.action === 'stall') {
          // Hold the upstream answer paused: if the server dies meanwhile, the client's connection drops too.
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            if (sent >= decision.afterBytes) return;
            const take = chunk.subarray(0, decision.afterBytes - sent);
            sent += take.length;
            res.write(take);
            if (sent >= decision.afterBytes) upRes.pause();
          });
          upRes.on('error', () => res.socket?.destroy());
          upRes.on('close', () => res.socket?.destroy());
          res.on('close', () => upRes.destroy());
        } else if (decision.action === 'cut') {
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            if (sent >= decision.afterBytes) return;
            const take = chunk.subarray(0, decision.afterBytes - sent);
            sent += take.length;
            res.write(take);
            if (sent >= decision.afterBytes) {
              upRes.destroy();
              res.socket?.destroy();
            }
          });
        } else upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    if (decision.action === 'holdBody') {
      let fwd = 0;
      req.on('data', (chunk: Buffer) => {
        if (fwd >= decision.afterBytes) return;
        const take = chunk.subarray(0, decision.afterBytes - fwd);
        fwd += take.length;
        up.write(take);
      });
    } else req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The most a reader's socket buffers can hold between the server and this proxy:
 * the kernel's TCP receive and send buffer maxima (Linux autotunes up to them; a
 * throttled reader has them full). Bytes in them left the server before it saw a
 * revoke, so a bound on what arrives after one must allow for them.
 */
export function socketBufferBytes(): number {
  try {
    const max = (f: string) => Number(readFileSync(f, 'utf8').trim().split(/\s+/)[2]);
    const n = max('/proc/sys/net/ipv4/tcp_rmem') + max('/proc/sys/net/ipv4/tcp_wmem');
    if (Number.isFinite(n) && n > 0) return n;
  } catch {
    // not Linux: the defaults of most systems
  }
  return 12 * 1024 * 1024;
}
