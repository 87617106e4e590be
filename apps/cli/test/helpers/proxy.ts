// A small HTTP proxy in front of the stack that misbehaves on purpose, to test
// the CLI's retries and Range resume against real network failures.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ProxyRule {
  /** Decides per request; return 'pass', 'cut' (drop the connection after `afterBytes` of the answer) or a status to answer with. */
  (req: http.IncomingMessage, n: number):
    | { action: 'pass' }
    | { action: 'cut'; afterBytes: number }
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
          const t0 = Date.now();
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            res.write(chunk);
            sent += chunk.length;
            decision.onBytes?.(chunk.length);
            const ahead = (sent / decision.bytesPerSecond) * 1000 - (Date.now() - t0);
            if (ahead > 0) {
              upRes.pause();
              setTimeout(() => upRes.resume(), ahead);
            }
          });
          upRes.on('end', () => res.end());
          upRes.on('close', () => {
            if (!upRes.complete) res.destroy();
          });
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
    req.pipe(up);
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
