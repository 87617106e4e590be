import http from 'node:http';
export interface ProxyRule {
    /** Decides per request; return 'pass', 'cut' (drop the connection after `afterBytes` of the answer) or a status to answer with. */
    (req: http.IncomingMessage, n: number): {
        action: 'pass';
    } | {
        action: 'cut';
        afterBytes: number;
    } | {
        action: 'status';
        status: number;
    } | {
        action: 'json';
        edit: (body: any) => unknown;
    } | {
        action: 'hang';
    } | {
        action: 'throttle';
        bytesPerSecond: number;
        onBytes?: (n: number) => void;
    };
}
export interface Proxy {
    url: string;
    requests: {
        method: string;
        url: string;
        range: string | undefined;
    }[];
    close(): Promise<void>;
}
export declare function startProxy(upstream: string, port: number, rule: ProxyRule): Promise<Proxy>;
