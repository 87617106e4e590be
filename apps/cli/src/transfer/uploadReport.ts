// The engine's send events as the CLI's output: a progress bar fed by the
// engine's shared progress accounting, and a log line for each resume, restart
// and retry.

import { SendProgress, type TransferEvent } from '@sealdrop/transfer';
import type { InputFile } from '../files.ts';
import { Progress } from '../progress.ts';

export interface UploadReport {
  onEvent(e: TransferEvent): void;
  /** The run ended: `ok` finishes the bar, otherwise it is cleared. */
  end(ok: boolean): void;
}

/** Why a file starts over, as the log says it. */
const RESTARTED: Record<Extract<TransferEvent, { type: 'file-restarted' }>['reason'], string> = {
  changed: 'changed since the interrupted upload',
  date: 'changed since the interrupted upload',
  'unknown-parts': 'has parts the journal does not know',
  'old-journal': 'was journalled by an older version of sealdrop, whose part checks this one cannot repeat',
};

export function uploadReport(files: InputFile[], o: { quiet?: boolean; log: (msg: string) => void }): UploadReport {
  const progress = new SendProgress(files.map((f) => f.size));
  let bar: Progress | null = null;
  return {
    onEvent(e) {
      const delta = progress.onEvent(e);
      if (delta > 0) bar?.add(delta);
      else if (delta < 0) bar?.sub(-delta);
      switch (e.type) {
        case 'resumed':
          if (e.partsOnServer > 0) o.log(`Resumed: ${e.partsOnServer} part${e.partsOnServer === 1 ? '' : 's'} already on the server will not be sent again.`);
          break;
        case 'phase':
          if (e.phase === 'uploading') {
            bar?.finish();
            // Parts already on the server are not this run's work.
            bar = new Progress({ label: 'Uploading', total: progress.total - progress.resumedBytes, quiet: o.quiet });
          }
          if (e.phase === 'finalizing') bar?.finish();
          break;
        case 'file-restarted':
          o.log(`${files[e.file].name} ${RESTARTED[e.reason]}: uploading it again from the start with a fresh salt.`);
          break;
        case 'retry':
          if (e.step === 'part') o.log(`Part ${e.part! + 1} of ${files[e.file!].name}: ${(e.error as Error).message}; retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s.`);
          else if (e.step === 'create' && e.delayMs === 0) o.log(`Creating the share failed (${(e.error as Error).message}); trying again with new keys.`);
          else o.log(`${(e.error as Error).message}; retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s.`);
          break;
        default:
          break;
      }
    },
    end(ok) {
      if (ok) bar?.finish();
      else bar?.abort();
    },
  };
}
