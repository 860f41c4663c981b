#!/usr/bin/env bash
# Run `milepost validate` on every corpus fixture, each copied as register.xlsx
# into a fresh workspace, and print one line per file. Informational: always
# exits 0 (some fixtures are known not to open yet).
#
# Usage: scripts/corpus/validate-corpus.sh [CORPUS_DIR]   (default: test/corpus)
# Run `npm run build` first.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPUS="${1:-$ROOT/test/corpus}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/milepost-corpus-validate.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

for f in "$CORPUS"/*.xlsx; do
  name="$(basename "$f")"
  ws="$WORK/${name%.xlsx}"
  mkdir -p "$ws"
  cp "$f" "$ws/register.xlsx"
  out="$(cd "$ROOT" && timeout 120 node bin/milepost.js validate -w "$ws" 2>&1)"
  rc=$?
  first="$(printf '%s\n' "$out" | head -1 | sed "s#$ws/##")"
  printf '%-28s exit %d  %s\n' "$name" "$rc" "$first"
  printf '%s\n' "$out" | sed -n '2,6p' | grep -E '^\s+(error|warning):' | sed 's/^/      /'
done
exit 0
