#!/usr/bin/env bash
# Publish build artifacts through Sealdrop from CI: a CLI pinned by its SHA-256, a
# signed upload, and no signing key left on disk on any exit path.
#   env: SEALDROP_SERVER, SIGNING_KEY (minisign secret key text), SEALDROP_CLI (an
#        https:// URL or a path of sealdrop.mjs), SEALDROP_CLI_SHA256 (its pinned hash),
#        SEALDROP_TOKEN (in token mode), LINK_FILE (default sealdrop-link.txt)
#   args: the files to publish
set -euo pipefail
umask 077
: "${SEALDROP_SERVER:?}" "${SIGNING_KEY:?}" "${SEALDROP_CLI:?}" "${SEALDROP_CLI_SHA256:?}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT                        # success, failure, and...
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM   # ...cancellation

# The CLI: one file, checked against the hash pinned in this repository before it runs.
case "$SEALDROP_CLI" in
  https://*) curl -fsSL --proto '=https' -o "$WORK/sealdrop.mjs" "$SEALDROP_CLI" ;;
  *) cp -- "$SEALDROP_CLI" "$WORK/sealdrop.mjs" ;;
esac
echo "$SEALDROP_CLI_SHA256  $WORK/sealdrop.mjs" | sha256sum -c --quiet -

printf '%s\n' "$SIGNING_KEY" > "$WORK/release.key"
node "$WORK/sealdrop.mjs" send "$@" --sign "$WORK/release.key" \
  --expires 7d --downloads 10 --json > "$WORK/share.json"
rm -f "$WORK/release.key"

LINK_FILE=${LINK_FILE:-sealdrop-link.txt}
jq -r .url "$WORK/share.json" > "$LINK_FILE"     # the link is a secret: keep it out of logs
if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::add-mask::$(cat "$LINK_FILE")"; fi
jq -r '.files[] | "\(.sha256)  \(.name)"' "$WORK/share.json"
