// A typed client for the Sealdrop HTTP API, shared by the web app and the CLI.
// It speaks exactly DESIGN.md's routes; every non-2xx answer becomes an ApiError
// carrying the server's error code, and a failed connection becomes code 'network'.
import type {
  AccessRequest,
  AdminRequestDetail,
  AdminRequestsResponse,
  CloseRequestResponse,
  CreateRequestRequest,
  CreateRequestResponse,
  RequestInfoResponse,
  RequestSharesResponse,
  StanzaWire,
  AdminShareDetail,
  AdminSharesResponse,
  AdminStats,
  ConfigResponse,
  CreateShareRequest,
  CreateShareResponse,
  CreateTokenRequest,
  CreateTokenResponse,
  DownloadResponse,
  FinalizeResponse,
  LogChainResponse,
  LogCheckpoint,
  LogCheckpointsResponse,
  LogFormat,
  LogKeyResponse,
  LogRow,
  LogStatusResponse,
  ManifestResponse,
  OwnerStatusResponse,
  PartUploadResponse,
  RevokeAllResponse,
  DeleteTokenResponse,
  RevokeResponse,
  ShareInfoResponse,
  ShareStatus,
  TokensResponse,
  UploadsResponse,
  CreateWebhookRequest,
  NotifyResponse,
  CreateWebhookResponse,
  WebhookDeliveriesResponse,
  WebhooksResponse,
} from './api.ts';
import type { AccessReportResponse } from './partner.ts';
import type { AdvisoryResponse, FreezeResponse, LogPage, RevokeScopeRequest, RevokeScopeResponse } from './incident.ts';
import { ApiError, type ErrorCode } from './errors.ts';

export interface ClientOptions {
  fetch?: typeof fetch;
  /** Extra headers on every request (the CLI sets User-Agent). */
  headers?: Record<string, string>;
}

export interface LogQuery {
  since?: string;
  until?: string;
  share?: string;
  event?: string;
  /** Paging: rows older than the `cursor` of the previous page. */
  before?: string;
  limit?: number;
}

type Auth = { scheme: 'Bearer' | 'Owner' | 'Grant'; token: string } | undefined;

export class SealdropClient {
  readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, opts: ClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? ((...a) => globalThis.fetch(...a));
    this.headers = opts.headers ?? {};
  }

  /** Low-level request; returns the Response after turning error answers into ApiError. */
  async request(
    method: string,
    path: string,
    opts: { auth?: Auth; json?: unknown; body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...opts.headers };
    if (opts.auth) headers.authorization = `${opts.auth.scheme} ${opts.auth.token}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, { method, headers, body, signal: opts.signal });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', `Cannot reach ${this.base}: ${(e as Error)?.message ?? e}`);
    }
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  private async json<T>(method: string, path: string, opts: Parameters<SealdropClient['request']>[2] = {}): Promise<T> {
    const res = await this.request(method, path, opts);
    return (await res.json()) as T;
  }

  // ---- public -----------------------------------------------------------
  health() {
    return this.json<{ ok: true }>('GET', '/api/health');
  }
  config() {
    return this.json<ConfigResponse>('GET', '/api/config');
  }

  // ---- sender -----------------------------------------------------------
  createShare(req: CreateShareRequest, uploadToken?: string) {
    return this.json<CreateShareResponse>('POST', '/api/shares', {
      json: req,
      auth: uploadToken ? { scheme: 'Bearer', token: uploadToken } : undefined,
    });
  }
  putPart(id: string, ownerToken: string, file: number, part: number, body: Uint8Array | Blob, signal?: AbortSignal) {
    return this.json<PartUploadResponse>('PUT', `/api/shares/${id}/files/${file}/parts/${part}`, {
      auth: { scheme: 'Owner', token: ownerToken },
      body: body as BodyInit,
      headers: { 'content-type': 'application/octet-stream' },
      signal,
    });
  }
  uploads(id: string, ownerToken: string) {
    return this.json<UploadsResponse>('GET', `/api/shares/${id}/uploads`, { auth: { scheme: 'Owner', token: ownerToken } });
  }
  /**
   * With `recipients` (v1.1) the share is sealed to public keys; the same pair again is 200.
   * `sha256`: the files' plaintext SHA-256s, for a share created with publishSha256 only.
   */
  finalize(id: string, ownerToken: string, manifest: string, recipients?: StanzaWire[], sha256?: string[]) {
    return this.json<FinalizeResponse>('POST', `/api/shares/${id}/finalize`, {
      auth: { scheme: 'Owner', token: ownerToken },
      json: { manifest, ...(recipients ? { recipients } : {}), ...(sha256 ? { sha256 } : {}) },
    });
  }
  ownerStatus(id: string, ownerToken: string) {
    return this.json<OwnerStatusResponse>('GET', `/api/shares/${id}/owner`, { auth: { scheme: 'Owner', token: ownerToken } });
  }
  revoke(id: string, ownerToken: string) {
    return this.json<RevokeResponse>('DELETE', `/api/shares/${id}`, { auth: { scheme: 'Owner', token: ownerToken } });
  }
  /** The owner's note on their revoked share (null removes it). */
  setAdvisory(id: string, ownerToken: string, advisory: string | null) {
    return this.json<AdvisoryResponse>('PUT', `/api/shares/${id}/advisory`, { auth: { scheme: 'Owner', token: ownerToken }, json: { advisory } });
  }

  // ---- recipient --------------------------------------------------------
  shareInfo(id: string) {
    return this.json<ShareInfoResponse>('GET', `/api/shares/${id}`);
  }
  /** `partnerToken`: the recipient's download token, for shares that require one (ShareInfoResponse.requiresToken). */
  manifest(id: string, body: AccessRequest, partnerToken?: string) {
    return this.json<ManifestResponse>('POST', `/api/shares/${id}/manifest`, { json: body, auth: partnerAuth(partnerToken) });
  }
  download(id: string, body: AccessRequest, partnerToken?: string) {
    return this.json<DownloadResponse>('POST', `/api/shares/${id}/download`, { json: body, auth: partnerAuth(partnerToken) });
  }
  /** Ciphertext of file i, or the bytes [start, end) of it (end exclusive). */
  file(id: string, index: number, grant: string, range?: { start: number; end?: number }, signal?: AbortSignal) {
    const headers: Record<string, string> = {};
    if (range) headers.range = `bytes=${range.start}-${range.end === undefined ? '' : range.end - 1}`;
    return this.request('GET', `/api/shares/${id}/files/${index}`, { auth: { scheme: 'Grant', token: grant }, headers, signal });
  }
  report(id: string, reason: string) {
    return this.request('POST', `/api/shares/${id}/report`, { json: { reason } });
  }
  /** Owner receipts: this share's events posted to `url`; the answer's secret is returned once. */
  notify(id: string, ownerToken: string, url: string) {
    return this.json<NotifyResponse>('POST', `/api/shares/${id}/notify`, { auth: { scheme: 'Owner', token: ownerToken }, json: { url } });
  }
  /** The Ed25519 key that signs log checkpoints (docs/LOG.md). */
  logKey() {
    return this.json<LogKeyResponse>('GET', '/api/log/key');
  }

  // ---- file requests (v1.1) ---------------------------------------------
  createRequest(req: CreateRequestRequest, uploadToken?: string) {
    return this.json<CreateRequestResponse>('POST', '/api/requests', {
      json: req,
      auth: uploadToken ? { scheme: 'Bearer', token: uploadToken } : undefined,
    });
  }
  requestInfo(rid: string) {
    return this.json<RequestInfoResponse>('GET', `/api/requests/${rid}`);
  }
  requestShares(rid: string, ownerToken: string) {
    return this.json<RequestSharesResponse>('GET', `/api/requests/${rid}/shares`, { auth: { scheme: 'Owner', token: ownerToken } });
  }
  /** Closes the request; with revokeShares, also revokes every share sent to it. */
  closeRequest(rid: string, ownerToken: string, opts: { revokeShares?: boolean } = {}) {
    return this.json<CloseRequestResponse>('DELETE', `/api/requests/${rid}${opts.revokeShares ? '?shares=revoke' : ''}`, {
      auth: { scheme: 'Owner', token: ownerToken },
    });
  }

  // ---- admin ------------------------------------------------------------
  admin(token: string) {
    const auth = { scheme: 'Bearer', token } as const;
    const q = (params: Record<string, string | number | undefined>) => {
      const s = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
      const str = s.toString();
      return str ? `?${str}` : '';
    };
    const logChain = (after = 0) => this.json<LogChainResponse>('GET', `/api/admin/log/chain?after=${after}`, { auth });
    const logCheckpoints = () => this.json<LogCheckpointsResponse>('GET', '/api/admin/log/checkpoints', { auth });
    return {
      shares: (p: { status?: ShareStatus; cursor?: string; limit?: number } = {}) =>
        this.json<AdminSharesResponse>('GET', `/api/admin/shares${q(p)}`, { auth }),
      share: (id: string) => this.json<AdminShareDetail>('GET', `/api/admin/shares/${id}`, { auth }),
      revoke: (id: string) => this.json<RevokeResponse>('POST', `/api/admin/shares/${id}/revoke`, { auth, json: {} }),
      revokeAll: (opts: { tokens?: boolean } = {}) =>
        this.json<RevokeAllResponse>('POST', '/api/admin/revoke-all', {
          auth,
          json: { confirm: 'REVOKE ALL', ...(opts.tokens ? { tokens: true } : {}) },
        }),
      /** Revoke by scope; with dryRun only the counts. */
      revokeScope: (req: RevokeScopeRequest) => this.json<RevokeScopeResponse>('POST', '/api/admin/revoke', { auth, json: req }),
      freeze: () => this.json<FreezeResponse>('GET', '/api/admin/freeze', { auth }),
      setFreeze: (reason: string) => this.json<FreezeResponse>('PUT', '/api/admin/freeze', { auth, json: { reason } }),
      unfreeze: () => this.json<FreezeResponse>('DELETE', '/api/admin/freeze', { auth }),
      setAdvisory: (id: string, advisory: string | null) =>
        this.json<AdvisoryResponse>('PUT', `/api/admin/shares/${id}/advisory`, { auth, json: { advisory } }),
      stats: () => this.json<AdminStats>('GET', '/api/admin/stats', { auth }),
      log: (p: LogQuery = {}) => this.json<LogPage<LogRow>>('GET', `/api/admin/log${q({ ...p, format: 'json' })}`, { auth }),
      /** The log as an export file body (CSV or JSON Lines). */
      exportLog: async (format: Exclude<LogFormat, 'json'>, p: LogQuery = {}) =>
        (await this.request('GET', `/api/admin/log${q({ ...p, format })}`, { auth })).text(),
      logCheckpoints,
      /** One page of the whole log in chain order (seq > after), the unsealed tail on the last page. */
      logChain,
      /**
       * Every row and checkpoint: what a verifier needs. Checkpoints are read
       * first; a row sealed while the pages were read is past the last of them
       * and is handed over as not yet sealed (the next verify checks it).
       */
      logAll: async (): Promise<{ rows: LogRow[]; checkpoints: LogCheckpoint[] }> => {
        const { checkpoints } = await logCheckpoints();
        const covered = checkpoints.reduce((m, c) => Math.max(m, c.last), 0);
        const rows: LogRow[] = [];
        for (let after: number | null = 0; after !== null; ) {
          const page: LogChainResponse = await logChain(after);
          rows.push(...page.rows.map((r) => (r.seq !== null && r.seq > covered ? { ...r, seq: null, hash: null } : r)));
          after = page.next;
        }
        return { rows, checkpoints };
      },
      logStatus: () => this.json<LogStatusResponse>('GET', '/api/admin/log/status', { auth }),
      webhooks: () => this.json<WebhooksResponse>('GET', '/api/admin/webhooks', { auth }),
      /** Registers an endpoint; the answer carries its signing secret, shown this once. */
      createWebhook: (req: CreateWebhookRequest) => this.json<CreateWebhookResponse>('POST', '/api/admin/webhooks', { auth, json: req }),
      deleteWebhook: (id: string) => this.json<{ ok: true }>('DELETE', `/api/admin/webhooks/${id}`, { auth }),
      webhookDeliveries: (id: string) => this.json<WebhookDeliveriesResponse>('GET', `/api/admin/webhooks/${id}/deliveries`, { auth }),
      redeliver: (id: string, delivery: number) =>
        this.json<{ ok: true }>('POST', `/api/admin/webhooks/${id}/deliveries/${delivery}/redeliver`, { auth, json: {} }),
      tokens: () => this.json<TokensResponse>('GET', '/api/admin/tokens', { auth }),
      /** Who can open what: per partner download token, its live shares (README "Partner tokens"). */
      accessReport: (p: { label?: string } = {}) => this.json<AccessReportResponse>('GET', `/api/admin/access-report${q(p)}`, { auth }),
      exportAccessReport: async (p: { label?: string } = {}) =>
        (await this.request('GET', `/api/admin/access-report${q({ ...p, format: 'csv' })}`, { auth })).text(),
      createToken: (req: CreateTokenRequest) => this.json<CreateTokenResponse>('POST', '/api/admin/tokens', { auth, json: req }),
      /** Revokes a token; with revokeShares, also every live share it created. */
      deleteToken: (id: string, opts: { revokeShares?: boolean } = {}) =>
        this.json<DeleteTokenResponse>('DELETE', `/api/admin/tokens/${id}${opts.revokeShares ? '?shares=revoke' : ''}`, { auth }),
      requests: (p: { cursor?: string; limit?: number } = {}) => this.json<AdminRequestsResponse>('GET', `/api/admin/requests${q(p)}`, { auth }),
      request: (rid: string) => this.json<AdminRequestDetail>('GET', `/api/admin/requests/${rid}`, { auth }),
      closeRequest: (rid: string, opts: { revokeShares?: boolean } = {}) =>
        this.json<CloseRequestResponse>('DELETE', `/api/requests/${rid}${opts.revokeShares ? '?shares=revoke' : ''}`, { auth }),
    };
  }
}

const partnerAuth = (token?: string): Auth => (token ? { scheme: 'Bearer', token } : undefined);

async function toApiError(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after'));
  let code: ErrorCode | 'network' = 'internal';
  let message = `${res.status} ${res.statusText}`;
  let advisory: string | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: ErrorCode; message?: string; advisory?: unknown } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
    if (typeof body?.error?.advisory === 'string') advisory = body.error.advisory;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined, advisory);
}
