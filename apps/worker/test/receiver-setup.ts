// A real loopback HTTP receiver for webhook deliveries, in Node, for the whole
// worker test run: the worker (in workerd) POSTs to it; tests read back what
// arrived with GET <url>/arrivals?path=/their-path. Its address is provided to
// the tests as `receiverUrl` (inject('receiverUrl')).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

interface Arrival {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const arrivals: Arrival[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      if (body.length < 1 << 20) body += d;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      if (req.method === 'GET' && url.pathname === '/arrivals') {
        const path = url.searchParams.get('path');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(arrivals.filter((a) => a.path === path)));
        return;
      }
      arrivals.push({ path: url.pathname, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  project.provide('receiverUrl', `http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  return () => new Promise<void>((r) => srv.close(() => r()));
}
