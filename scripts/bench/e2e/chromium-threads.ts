// Shared by the browser measuring aids (profile-send.ts, profile-receive.ts,
// upload-paths.ts, save-paths.ts, decrypt-calls.ts): CPU seconds of every thread
// of our Chromium, keyed by process type and thread name
// (/proc/<pid>/task/<tid>/stat), sampled over a run, peak RSS per process type,
// and the self time per function of a CDP CPU profile.
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

/** CPU seconds since a trackThreads() began: per thread (pid/tid), per key, and in all. */
export type ThreadCpu = { perThread: Map<string, { key: Key; cpu: number }>; byKey: Map<Key, number>; total: number };

/**
 * Samples every thread of our Chromium every `everyMs` from now until stop(),
 * which takes a last sample. A thread that ends meanwhile (a pool's worker)
 * keeps its last sample, so its CPU still counts.
 */
export function trackThreads(everyMs = 100): { stop(): ThreadCpu } {
  const before = threads();
  const after = new Map(before);
  const sample = () => {
    for (const [tid, t] of threads()) after.set(tid, t);
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const perThread = new Map<string, { key: Key; cpu: number }>();
      const byKey = new Map<Key, number>();
      for (const [tid, t] of after) {
        const cpu = t.cpu - (before.get(tid)?.cpu ?? 0);
        perThread.set(tid, { key: t.key, cpu });
        byKey.set(t.key, (byKey.get(t.key) ?? 0) + cpu);
      }
      return { perThread, byKey, total: [...byKey.values()].reduce((a, b) => a + b, 0) };
    },
  };
}

/** Prints each key's CPU per GiB of `bytes` (and its seconds, with `seconds`), largest first, from `min` CPU-s up. */
export function printByKey(byKey: Map<Key, number>, bytes: number, min: number, seconds = false) {
  for (const [k, v] of [...byKey].sort((a, b) => b[1] - a[1])) {
    if (v >= min) console.log(`  ${seconds ? `${v.toFixed(2).padStart(7)} s  ` : ''}${perGiB(v, bytes).padStart(7)}/GiB  ${k}`);
  }
}

/** CPU seconds `cpu` per GiB of `bytes`, two decimals. */
export const perGiB = (cpu: number, bytes: number) => ((cpu * 2 ** 30) / bytes).toFixed(2);

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
