export declare const ROOT: string;
export interface Stack {
    url: string;
    port: number;
    persistDir: string;
    /** The development admin token (from .dev.vars; honoured from loopback with LOCAL=1). */
    adminToken: string;
    /** Output of the stack so far (for failure messages). */
    output(): string;
    stop(): Promise<void>;
}
/** A free port of the CLI's range (8850-8859), skipping `taken`. */
export declare function freePort(taken?: number[]): Promise<number>;
export interface StackOptions {
    /** Extra `--var` style variables are not supported by start.mjs; PART_BYTES etc. come from wrangler.toml. */
    keepState?: boolean;
    timeoutMs?: number;
}
export declare function startStack(opts?: StackOptions): Promise<Stack>;
