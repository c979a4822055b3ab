#!/usr/bin/env bash
# Browser test of kb search: builds a fixture site and drives headless Chromium over
# http and file://. Uses `kb build` on tests/search/site-fixture when the kb binary
# builds (KB_BROWSER_SITE=handmade forces hand-made pages from the parity corpus).
# Needs node 20+, npm, and Chromium at /usr/bin/chromium (or CHROMIUM=...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${KB_BROWSER_OUT:-$ROOT/target/kb-search-browser}"
cd "$HERE"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
rm -rf "$OUT" && mkdir -p "$OUT"
cd "$ROOT"
if [ "${KB_BROWSER_SITE:-kb}" = kb ] && cargo build --release --quiet 2>"$OUT/kb-build.log"; then
  cargo run --release --quiet -- build --root tests/search/site-fixture --dest "$OUT/site"
else
  echo "run-browser: using hand-made pages (kb build unavailable or KB_BROWSER_SITE=handmade)" >&2
  cargo run --release --quiet -p kb-search --example dump -- tests/search/fixtures/corpus.json \
    tests/search/fixtures/queries.json "$OUT" crates/kb-search-wasm/dist/kb_search.wasm
  node tests/search/handmade/make-site.mjs tests/search/fixtures/corpus.json "$OUT/site"
fi
KB_SEARCH_SITE="$OUT/site" node --test --test-concurrency=1 tests/search/browser.test.mjs
