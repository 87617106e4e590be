// Progress on stderr: a redrawn bar when stderr is a terminal, otherwise a plain
// line now and then (at most every 5 s: every 10 % or every 30 s), so CI logs stay short.

import { formatBytes } from '@sealdrop/shared';

export interface ProgressOptions {
  label: string;
  total: number;
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
}

export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #quiet: boolean;
  readonly #started = Date.now();
  #label: string;
  #total: number;
  #done = 0;
  #lastDraw = 0;
  #lastLineAt = Date.now();
  #lastLinePct = 0;
  #finished = false;

  constructor(opts: ProgressOptions) {
    this.#out = opts.stream ?? process.stderr;
    this.#tty = Boolean(this.#out.isTTY) && process.env.TERM !== 'dumb';
    this.#quiet = Boolean(opts.quiet);
    this.#label = opts.label;
    this.#total = opts.total;
  }

  get done(): number {
    return this.#done;
  }

  /** Bytes per second since the start. */
  get rate(): number {
    return this.#done / Math.max(0.001, (Date.now() - this.#started) / 1000);
  }

  /** Seconds to go at the average speed so far; null until there is a speed to go by (1 s in). */
  get secondsLeft(): number | null {
    if (this.#done <= 0 || this.#done >= this.#total || this.elapsedSeconds < 1) return null;
    return (this.#total - this.#done) / this.rate;
  }

  get elapsedSeconds(): number {
    return (Date.now() - this.#started) / 1000;
  }

  add(n: number): void {
    this.#done += n;
    this.#draw(false);
  }

  /** Moves the count back (a failed part that will be sent again). */
  sub(n: number): void {
    this.#done = Math.max(0, this.#done - n);
  }

  /** Prints a message above the bar. */
  log(msg: string): void {
    if (this.#quiet) return;
    if (this.#tty) this.#out.write('\r\x1b[2K');
    this.#out.write(`${msg}\n`);
    if (this.#tty) this.#draw(true);
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#quiet) return;
    if (this.#tty) this.#out.write('\r\x1b[2K');
    this.#out.write(`${this.#label}: ${formatBytes(this.#done)} in ${this.elapsedSeconds.toFixed(1)} s (${formatBytes(Math.round(this.rate))}/s)\n`);
  }

  /** Clears the bar without a summary (on failure). */
  abort(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#tty && !this.#quiet) this.#out.write('\r\x1b[2K');
  }

  #draw(force: boolean): void {
    if (this.#quiet || this.#finished) return;
    const now = Date.now();
    const pct = this.#total > 0 ? Math.min(100, (100 * this.#done) / this.#total) : 100;
    if (this.#tty) {
      if (!force && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const cols = Math.max(20, Math.min(this.#out.columns ?? 80, 120));
      const left = this.secondsLeft;
      const text = ` ${pct.toFixed(0).padStart(3)}% ${formatBytes(this.#done)} / ${formatBytes(this.#total)} ${formatBytes(Math.round(this.rate))}/s${left === null ? '' : ` ${timeLeft(left)} left`}`;
      const width = Math.max(10, cols - this.#label.length - text.length - 4);
      const filled = Math.round((width * pct) / 100);
      this.#out.write(`\r\x1b[2K${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${text}`);
    } else if (force || (now - this.#lastLineAt >= 5_000 && (pct - this.#lastLinePct >= 10 || now - this.#lastLineAt >= 30_000))) {
      if (pct >= 100 && !force) return; // finish() prints the last line
      this.#lastLinePct = pct;
      this.#lastLineAt = now;
      const left = this.secondsLeft;
      this.#out.write(`${this.#label}: ${pct.toFixed(0)}% (${formatBytes(this.#done)} of ${formatBytes(this.#total)}${left === null ? '' : `, about ${timeLeft(left)} left`})\n`);
    }
  }
}

/** 42 → "42 s", 125 → "2 min 5 s", 7300 → "2 h 2 min". */
export function timeLeft(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}
