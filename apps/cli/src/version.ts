export const VERSION = '0.1.0';

/** User-Agent of every request: names the tool, nothing about the user. */
export function userAgent(): string {
  return `sealdrop-cli/${VERSION} node/${process.versions.node}`;
}
