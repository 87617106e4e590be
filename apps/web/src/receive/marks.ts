// User Timing marks (performance.getEntriesByName) of a download: the click, and
// the first plaintext bytes handed to the browser. bench:e2e reads them for
// "link open → first plaintext byte"; they carry no data. No imports: the
// benchmark, in Node, imports these names too.
export const DOWNLOAD_CLICK_MARK = 'sealdrop:download-click';
export const FIRST_PLAINTEXT_MARK = 'sealdrop:first-plaintext';
