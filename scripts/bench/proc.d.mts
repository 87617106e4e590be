// Types of proc.mjs for the TypeScript benchmarks.
export declare const CLK_TCK: number;
export declare function childrenByParent(): Map<number, number[]>;
export declare function processTree(root: number, byParent?: Map<number, number[]>): number[];
export declare function cpuSeconds(pid: number): number | null;
export declare function cmdline(pid: number): string;
export declare function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number;
export declare function machineBusySeconds(): number;
