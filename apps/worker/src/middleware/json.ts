// Request bodies: Content-Type must be application/json (415), the body is read
// with a byte cap (413), must be JSON (400) and must match the zod schema of
// packages/shared (400). Handlers then read typed data with c.req.valid('json').
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { Fail } from '../lib/errors.ts';

const JSON_TYPE = /^application\/json[ \t]*(;.*)?$/i;

/** Read at most `max` bytes of a body; a longer one is 413 without reading the rest. */
export async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  const declared = req.headers.get('Content-Length');
  if (declared !== null) {
    if (!/^[0-9]{1,16}$/.test(declared)) throw new Fail('bad_request', 'bad Content-Length');
    if (Number(declared) > max) throw new Fail('too_large', `the body may be at most ${max} bytes`);
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // A body that ends before its Content-Length (the client went away) is the client's fault.
    const { done, value } = await reader.read().catch(() => {
      throw new Fail('bad_request', 'the body ended before its Content-Length');
    });
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw new Fail('too_large', `the body may be at most ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

export function json<S extends z.ZodType>(
  schema: S,
  maxBytes = 16 * 1024,
): MiddlewareHandler<AppEnv, string, { in: { json: z.input<S> }; out: { json: z.output<S> } }> {
  return async (c, next) => {
    if (!JSON_TYPE.test(c.req.header('Content-Type') ?? '')) {
      throw new Fail('unsupported_media_type', 'the body must be sent as Content-Type: application/json');
    }
    const bytes = await readCapped(c.req.raw, maxBytes);
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    } catch {
      throw new Fail('bad_request', 'the body is not valid JSON');
    }
    const r = schema.safeParse(data);
    if (!r.success) throw new Fail('bad_request', describeIssues(r.error));
    c.req.addValidatedData('json', r.data as object);
    await next();
  };
}
