// A slow link in front of the e2e stack: an HTTP proxy that passes everything and
// reads file downloads at a fixed rate, counting their bytes. A download through it
// is surely still running when a test acts on the share.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowLink {
  url: string;
  /** Bytes of /files/ responses passed on so far. */
  fileBytes(): number;
  /** Range headers of the /files/ requests, in order ('whole' without one). */
  fileRequests: string[];
  close(): Promise<void>;
}

export async function startSlowLink(upstream: string, bytesPerSecond: number): Promise<SlowLink> {
  const target = new URL(upstream);
  let fileBytes = 0;
  const fileRequests: string[] = [];
  const server = http.createServer((req, res) => {
    const isFile = req.method === 'GET' && /\/api\/shares\/[^/]+\/files\//.test(req.url ?? '');
    if (isFile) fileRequests.push(req.headers.range ?? 'whole');
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (upRes) => {
        res.writeHead(upRes.statusCode!, upRes.headers);
        if (!isFile) return void upRes.pipe(res);
        const t0 = Date.now();
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          res.write(chunk);
          sent += chunk.length;
          fileBytes += chunk.length;
          const ahead = (sent / bytesPerSecond) * 1000 - (Date.now() - t0);
          if (ahead > 0) {
            upRes.pause();
            setTimeout(() => upRes.resume(), ahead);
          }
        });
        upRes.on('end', () => res.end());
        // The server cut the body short: so does the link.
        upRes.on('close', () => {
          if (!upRes.complete) res.destroy();
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fileBytes: () => fileBytes,
    fileRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
