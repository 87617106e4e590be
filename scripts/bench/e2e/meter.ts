// Samples /proc while one measurement runs: CPU seconds of a chosen set of processes
// (a CLI's tree, all of our Chromium, the workerd processes of our stack) and peak
// memory. Processes that start during the window count from 0; one that exits counts
// up to its last sample (every 100 ms, so a dying process loses at most that much).
// The meter runs in the benchmark's process, so its own cost is charged to no client
// except the raw runs (whose client is this process): it keeps /proc walks rare.
import { childrenByParent, cmdline, cpuSeconds, processTree, statusBytes } from '../proc.mjs';

export interface MeterSpec {
  /** Which processes of the tree under process.pid this meter charges. */
  pick: (pid: number, cmd: string, byParent: Map<number, number[]>) => boolean;
  /** Peak VmRSS of the largest single process this picks (e.g. a Chromium renderer: the tab doing the work). */
  rss?: (pid: number, cmd: string) => boolean;
}

export interface MeterResult {
  cpuSeconds: number;
  peakRssBytes: number;
}

export class Meter {
  private first = new Map<number, number>();
  private last = new Map<number, number>();
  private peakRss = 0;
  private timer: NodeJS.Timeout | null = null;
  private cmds = new Map<number, string>();

  constructor(private spec: MeterSpec) {}

  private picked: number[] = [];
  private ticks = 0;

  /** Which processes this meter charges: a walk of all of /proc (~6 ms CPU), so only once a second. */
  private discover(): void {
    const byParent = childrenByParent();
    this.picked = processTree(process.pid, byParent).filter((pid) => {
      let cmd = this.cmds.get(pid);
      if (cmd === undefined) {
        cmd = cmdline(pid);
        if (cmd) this.cmds.set(pid, cmd);
      }
      return this.spec.pick(pid, cmd ?? '', byParent);
    });
  }

  /** CPU seconds (and RSS) of the picked processes now: a few small reads. */
  private sample(initial: boolean): void {
    if (initial || this.ticks++ % 10 === 0) this.discover();
    let rss = 0;
    for (const pid of this.picked) {
      const cpu = cpuSeconds(pid);
      if (cpu === null) continue;
      // A process first seen after the start began during the window: it counts from 0.
      if (!this.first.has(pid)) this.first.set(pid, initial ? cpu : 0);
      this.last.set(pid, cpu);
      if (this.spec.rss?.(pid, this.cmds.get(pid) ?? '')) rss = Math.max(rss, statusBytes(pid, 'VmRSS'));
    }
    this.peakRss = Math.max(this.peakRss, rss);
  }

  start(): this {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 100);
    return this;
  }

  stop(): MeterResult {
    this.sample(false);
    if (this.timer) clearInterval(this.timer);
    let cpu = 0;
    for (const [pid, end] of this.last) cpu += end - (this.first.get(pid) ?? 0);
    return { cpuSeconds: cpu, peakRssBytes: this.peakRss };
  }
}

const isChromium = (cmd: string) => /(^|\/)(chromium|chrome)[^ ]*( |$)/.test(cmd.split(' ')[0] ?? '') || cmd.startsWith('/usr/lib/chromium');

/** All processes of our headless Chromium; peak RSS of its renderers. */
export const chromiumSpec: MeterSpec = {
  pick: (_pid, cmd) => isChromium(cmd),
  rss: (_pid, cmd) => cmd.includes('--type=renderer'),
};

/** The workerd processes of the stack we started (the server's CPU). */
export const workerdSpec: MeterSpec = { pick: (_pid, cmd) => /(^|\/)workerd( |$)/.test(cmd.split(' ')[0] ?? '') };

/** One child process and everything below it. */
export function treeSpec(root: number): MeterSpec {
  return { pick: (pid, _cmd, byParent) => processTree(root, byParent).includes(pid) };
}
