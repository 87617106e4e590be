// Peak resident memory of a child process, read from /proc/<pid>/status (VmHWM,
// the kernel's high-water mark) while it runs.

import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/** Polls VmHWM until the process exits; resolves with the largest value seen, in bytes. */
export function watchPeakRss(child: ChildProcess, everyMs = 25): { peak: () => number; stop: () => void } {
  let peak = 0;
  const read = () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // gone
    }
  };
  const timer = setInterval(read, everyMs);
  child.on('exit', () => clearInterval(timer));
  return { peak: () => peak, stop: () => clearInterval(timer) };
}
