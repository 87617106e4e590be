// Shared by the browser profiling aids (profile-send.ts, profile-receive.ts): CPU
// seconds of every thread of our Chromium, keyed by process type and thread name
// (/proc/<pid>/task/<tid>/stat), peak RSS per process type, and the self time
// per function of a CDP CPU profile.
import { readdirSync, readFileSync } from 'node:fs';
import { childrenByParent, cmdline, processTree } from '../proc.mjs';

/** "<process type> <thread name>", e.g. "renderer ServiceWorker t". */
export type Key = string;

/** Peak VmRSS (MiB) per process type, updated by every threads() call. */
export const peakRss = new Map<string, number>();

/** tid → its key and CPU seconds so far, for every thread of the Chromium under this process. */
export function threads(): Map<string, { key: Key; cpu: number }> {
  const out = new Map<string, { key: Key; cpu: number }>();
  const byParent = childrenByParent();
  for (const pid of processTree(process.pid, byParent)) {
    const cmd = cmdline(pid);
    if (!cmd.includes('chrom')) continue;
    const type = /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
    const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1]?.split('.').pop() ?? '';
    try {
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const k = `${type}${sub ? ':' + sub : ''}`;
      peakRss.set(k, Math.max(peakRss.get(k) ?? 0, rss));
    } catch {}
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')).replace(/\d+$/, '#');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        out.set(`${pid}/${tid}`, { key: `${type}${sub ? ':' + sub : ''} ${comm}`, cpu: (Number(f[11]) + Number(f[12])) / 100 });
      } catch {}
    }
  }
  return out;
}

export type Prof = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };

/** Prints the `top` functions of a CPU profile by self time. */
export function printProfile(name: string, profile: Prof, top = 12) {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    const v = self.get(n.id) ?? 0;
    total += v;
    byFn.set(k, (byFn.get(k) ?? 0) + v);
  }
  console.log(`${name} self time (ms), total ${(total / 1000).toFixed(0)}:`);
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(v / 1000).toFixed(0).padStart(7)}  ${k}`);
}
