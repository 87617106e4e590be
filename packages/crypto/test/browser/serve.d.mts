export function buildAndServe(opts?: { ports?: [number, number] }): Promise<{ url: string; close(): Promise<void> }>;
