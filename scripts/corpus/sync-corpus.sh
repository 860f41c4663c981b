#!/usr/bin/env bash
# Write-path probe: run `milepost sync` (no responses, fixed clock) on a copy of
# every corpus fixture, then report per file
#   - the features (as MANIFEST.json detects them) lost or gained by the write,
#   - the cells that differ from the fresh sample register synced the same way
#     (so the ordinary sync changes - overdue milestones, new topics - cancel out).
# Informational: always exits 0.
#
# Usage: scripts/corpus/sync-corpus.sh [CORPUS_DIR]   (default: test/corpus)
# Run `npm run build` first. PYTHON defaults to /usr/bin/python3 (python3-openpyxl).
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1  # it imports manifest.py: leave no __pycache__ in the tree
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPUS="${1:-$ROOT/test/corpus}"
PY="${PYTHON:-/usr/bin/python3}"
NOW="2026-12-02T16:00:00Z"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/milepost-corpus-sync.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

node bin/milepost.js init --sample -w "$WORK/baseline" >/dev/null
node bin/milepost.js sync -w "$WORK/baseline" --now "$NOW" >/dev/null 2>&1 || echo "baseline sync failed"

for f in "$CORPUS"/*.xlsx; do
  name="$(basename "$f")"
  ws="$WORK/${name%.xlsx}"
  mkdir -p "$ws"
  cp "$f" "$ws/register.xlsx"
  : >"$ws/responses.jsonl"
  out="$(timeout 120 node bin/milepost.js sync -w "$ws" --now "$NOW" 2>&1)"
  rc=$?
  printf '%-28s sync exit %d  %s\n' "$name" "$rc" "$(printf '%s\n' "$out" | head -1 | cut -c1-90)"
  [ "$rc" = 0 ] || continue
  HERE="$HERE" "$PY" -c '
import os, sys
sys.path.insert(0, os.environ["HERE"])
import manifest
before = manifest.detect(sys.argv[1], [], [])[0]
after = manifest.detect(sys.argv[2], [], [])[0]
lost, gained = sorted(set(before) - set(after)), sorted(set(after) - set(before))
print("      features lost: {}  gained: {}".format(", ".join(lost) or "-", ", ".join(gained) or "-"))
' "$f" "$ws/register.xlsx"
  "$PY" "$HERE/check_content.py" "$WORK/baseline/register.xlsx" "$ws/register.xlsx" | sed 's/^/      /'
done
exit 0
