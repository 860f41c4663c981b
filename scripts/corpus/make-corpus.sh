#!/usr/bin/env bash
# Regenerate the workbook corpus in test/corpus/ from a fresh Milepost sample
# register: openpyxl-*.xlsx (saved by openpyxl), libreoffice-*.xlsx (saved by
# headless LibreOffice), and MANIFEST.json (what each file really contains).
#
# Usage: scripts/corpus/make-corpus.sh [OUT_DIR]      (default: test/corpus)
# Needs: node + npm (the project), Debian's python3 with python3-openpyxl,
#        python3-pil and python3-uno, and LibreOffice (soffice) with Calc.
#   apt-get install -y python3-openpyxl python3-pil python3-uno libreoffice-calc-nogui
# Env:   PYTHON (default /usr/bin/python3: the Debian packages are not on a
#        pyenv or venv python), SOFFICE (default soffice).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/test/corpus}"
PY="${PYTHON:-/usr/bin/python3}"
SOFFICE="${SOFFICE:-soffice}"
FILTER='xlsx:Calc MS Excel 2007 XML'

WORK="$(mktemp -d "${TMPDIR:-/tmp}/milepost-corpus.XXXXXX")"
SOFFICE_PID=""
cleanup() {
  if [ -n "$SOFFICE_PID" ] && kill -0 "$SOFFICE_PID" 2>/dev/null; then
    kill "$SOFFICE_PID" 2>/dev/null || true
    wait "$SOFFICE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$PY" -c 'import openpyxl, PIL, uno' || {
  echo "make-corpus: $PY lacks openpyxl, PIL or uno (apt-get install python3-openpyxl python3-pil python3-uno)" >&2
  exit 1
}
command -v "$SOFFICE" >/dev/null || { echo "make-corpus: no $SOFFICE (apt-get install libreoffice-calc-nogui)" >&2; exit 1; }

# A LibreOffice profile of our own: defaults only, and no clash with a running soffice.
PROFILE="file://$WORK/lo-profile"

echo "== sample register"
cd "$ROOT"
[ -d node_modules ] || npm ci --silent
[ "${SKIP_BUILD:-}" = 1 ] && [ -f dist/cli.js ] || npm run build --silent
node bin/milepost.js init --sample -w "$WORK/ws" >/dev/null
SAMPLE="$WORK/ws/register.xlsx"

echo "== openpyxl $("$PY" -c 'import openpyxl; print(openpyxl.__version__)')"
mkdir -p "$WORK/openpyxl" "$WORK/lo" "$WORK/out"
"$PY" "$HERE/openpyxl_fixtures.py" "$SAMPLE" "$WORK/openpyxl"
cp "$WORK"/openpyxl/openpyxl-*.xlsx "$WORK/out/"

echo "== $("$SOFFICE" --version | head -1)"
# Every openpyxl fixture but -all through a plain format conversion; -all gets the
# UNO treatment below (rich text and pivot added before LibreOffice saves it).
to_convert=()
for f in "$WORK"/openpyxl/openpyxl-*.xlsx; do
  [ "$(basename "$f")" = openpyxl-all.xlsx ] || to_convert+=("$f")
done
"$SOFFICE" -env:UserInstallation="$PROFILE" --headless --norestore --nologo \
  --convert-to "$FILTER" --outdir "$WORK/lo" "${to_convert[@]}" 2>&1 | grep -v javaldx || true
for f in "${to_convert[@]}"; do
  b="$(basename "$f")"
  [ -s "$WORK/lo/$b" ] || { echo "make-corpus: soffice did not convert $b" >&2; exit 1; }
  mv "$WORK/lo/$b" "$WORK/out/libreoffice-${b#openpyxl-}"
  echo "libreoffice-${b#openpyxl-}: $b converted"
done

PIPE="milepost-corpus-$$"
"$SOFFICE" -env:UserInstallation="$PROFILE" --headless --invisible --norestore --nologo \
  --accept="pipe,name=$PIPE;urp;StarOffice.ComponentContext" >"$WORK/soffice.log" 2>&1 &
SOFFICE_PID=$!
"$PY" "$HERE/uno_fixtures.py" "$PIPE" "$SAMPLE" "$WORK/openpyxl/openpyxl-all.xlsx" "$WORK/out"
for _ in $(seq 1 30); do kill -0 "$SOFFICE_PID" 2>/dev/null || break; sleep 1; done
cleanup_pid="$SOFFICE_PID"; SOFFICE_PID=""
if kill -0 "$cleanup_pid" 2>/dev/null; then kill "$cleanup_pid"; fi
wait "$cleanup_pid" 2>/dev/null || true

echo "== content check"
"$PY" "$HERE/check_content.py" "$SAMPLE" "$WORK"/out/*.xlsx

echo "== $OUT"
mkdir -p "$OUT"
rm -f "$OUT"/openpyxl-*.xlsx "$OUT"/libreoffice-*.xlsx
cp "$WORK"/out/*.xlsx "$OUT/"
"$PY" "$HERE/manifest.py" "$SAMPLE" "$OUT" >"$OUT/MANIFEST.json"
# In the project's JSON style, so that `npm run lint` (biome) passes.
npx --no-install biome format --write "$OUT/MANIFEST.json" >/dev/null 2>&1 ||
  echo "make-corpus: biome did not format $OUT/MANIFEST.json (outside the project?)" >&2
ls -l "$OUT"
