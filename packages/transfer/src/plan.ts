// The server's limits (GET /api/config) against what is about to be sent, as
// typed problems: each app words them in its own way.

import { checkFileNames, ciphertextSize } from '@sealdrop/crypto';
import type { ConfigResponse } from '@sealdrop/shared';

export type SendProblem =
  | { kind: 'no_files' }
  | { kind: 'bad_names'; message: string }
  | { kind: 'too_many_files'; count: number; max: number }
  | { kind: 'file_too_large'; file: number; name: string; size: number; max: number }
  | { kind: 'share_too_large'; total: number; max: number }
  | { kind: 'expiry_too_long'; seconds: number; max: number }
  | { kind: 'too_many_downloads'; count: number; max: number }
  | { kind: 'token_required' };

export interface PlanInput {
  files: { name: string; size: number }[];
  expiresIn?: number | null;
  maxDownloads?: number;
  uploadToken?: string;
  /** v1.1: a file request's id stands in for the upload token. */
  request?: string;
  /** A share may hold only a note (no files). */
  note?: string;
}

export function planSend(config: ConfigResponse, input: PlanInput): SendProblem[] {
  const problems: SendProblem[] = [];
  const { files } = input;
  if (files.length === 0 && !input.note?.trim()) return [{ kind: 'no_files' }];
  const names = files.length ? checkFileNames(files.map((f) => f.name)) : null;
  if (names) problems.push({ kind: 'bad_names', message: names });
  if (files.length > config.maxFiles) problems.push({ kind: 'too_many_files', count: files.length, max: config.maxFiles });
  let total = 0;
  for (const [i, f] of files.entries()) {
    const c = ciphertextSize(f.size);
    if (c > config.maxFileBytes) problems.push({ kind: 'file_too_large', file: i, name: f.name, size: f.size, max: config.maxFileBytes });
    total += c;
  }
  if (total > config.maxShareBytes) problems.push({ kind: 'share_too_large', total, max: config.maxShareBytes });
  if (input.expiresIn != null && input.expiresIn > config.maxExpirySeconds) problems.push({ kind: 'expiry_too_long', seconds: input.expiresIn, max: config.maxExpirySeconds });
  if (input.maxDownloads !== undefined && input.maxDownloads > config.maxDownloads) problems.push({ kind: 'too_many_downloads', count: input.maxDownloads, max: config.maxDownloads });
  if (config.uploadPolicy === 'token' && !input.uploadToken && !input.request) problems.push({ kind: 'token_required' });
  return problems;
}
