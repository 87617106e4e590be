/** The server the Playwright config starts (E2E_PORT). */
export declare function e2eBase(): string;
/** The bootstrap admin token scripts/start.mjs keeps in .dev.vars. */
export declare function adminToken(): string;
export interface SeedFile {
    name: string;
    bytes: Uint8Array;
    type?: string;
}
export interface SeedOptions {
    files: SeedFile[];
    password?: string;
    maxDownloads?: number;
    /** Seconds; default one hour. */
    expiresIn?: number;
    note?: string;
    /** Create the share with this upload token (Bearer), as a pipeline would. */
    uploadToken?: string;
    /** minisign signatures to put in the manifest, as DESIGN.md's `signatures`. */
    signatures?: {
        file: number;
        minisig: string;
    }[];
    /**
     * A hostile sender: seal this manifest object as it is (JSON, padded), skipping
     * the sender-side rules, instead of the one made from `files`.
     */
    rawManifest?: (honest: object) => unknown;
}
export interface Seeded {
    /** The full link, key fragment included. */
    url: string;
    id: string;
    ownerToken: string;
    /** S, as in the fragment. */
    secret: string;
}
export declare function seedShare(opts: SeedOptions, base?: string): Promise<Seeded>;
