#!/usr/bin/env bash
# Browser test of kb search: builds tests/search/site-fixture with `kb build` and drives
# headless Chromium over http and file:// (KB_BROWSER_SITE=handmade uses hand-made pages
# from the parity corpus instead, for UI work without the engine). Leaves screenshots of
# the dialog and of a highlighted page in $OUT/screenshots.
# Needs node 20+, the npm packages of tests/package.json (scripts/install-deps.sh installs
# them) and Chromium at /usr/bin/chromium (or CHROMIUM=...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${KB_BROWSER_OUT:-$ROOT/target/kb-search-browser}"
node "$ROOT/tests/check-node-deps.mjs"
rm -rf "$OUT" && mkdir -p "$OUT"
cd "$ROOT"
if [ "${KB_BROWSER_SITE:-kb}" = handmade ]; then
  # Only on request (for working on the UI without the engine); CI always uses kb build.
  cargo run --release --quiet -p kb-search --example dump -- tests/search/fixtures/corpus.json \
    tests/search/fixtures/queries.json "$OUT" crates/kb-search-wasm/dist/kb_search.wasm
  node tests/search/handmade/make-site.mjs tests/search/fixtures/corpus.json "$OUT/site"
else
  cargo run --release --quiet -- build --root tests/search/site-fixture --dest "$OUT/site"
fi
# A generated site of 400 pages: its index is paged, so results load pages on demand.
python3 scripts/gen-corpus.py --pages 400 --out "$OUT/large-src" >/dev/null
cargo run --release --quiet -- build --root "$OUT/large-src" --dest "$OUT/large"
# Screenshots of the dialog and of a marked target page, light and dark, to look at.
mkdir -p "$OUT/screenshots"
KB_BROWSER_SHOTS="$OUT/screenshots" KB_SEARCH_SITE="$OUT/site" KB_SEARCH_LARGE_SITE="$OUT/large" node --test --test-concurrency=1 tests/search/browser.test.mjs
