// fetch() cannot report upload progress (streaming request bodies need HTTP/2), so
// part uploads go through this small XMLHttpRequest-backed fetch. The shared
// SealdropClient takes it as its `fetch`; a caller that wants progress for a body
// registers a callback for that exact body object with `onUploadProgress`.

const listeners = new WeakMap<object, (loaded: number) => void>();

/** Calls `fn(bytesSent)` while `body` is being uploaded by xhrFetch. */
export function onUploadProgress(body: object, fn: (loaded: number) => void): () => void {
  listeners.set(body, fn);
  return () => listeners.delete(body);
}

export const xhrFetch: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const signal = init.signal;
    if (signal?.aborted) return reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
    const xhr = new XMLHttpRequest();
    xhr.open(init.method ?? 'GET', url);
    xhr.responseType = 'arraybuffer';
    new Headers(init.headers).forEach((v, k) => xhr.setRequestHeader(k, v));
    const body = init.body as XMLHttpRequestBodyInit | null | undefined;
    const progress = body && typeof body === 'object' ? listeners.get(body) : undefined;
    if (progress) xhr.upload.onprogress = (e) => progress(e.loaded);
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      cleanup();
      const headers = new Headers();
      for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
        const i = line.indexOf(':');
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      const nullBody = xhr.status === 204 || xhr.status === 205 || xhr.status === 304;
      resolve(new Response(nullBody ? null : (xhr.response as ArrayBuffer), { status: xhr.status, statusText: xhr.statusText, headers }));
    };
    xhr.onerror = () => {
      cleanup();
      reject(new TypeError('Network request failed'));
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      cleanup();
      reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    xhr.send(body ?? null);
  });
