#!/usr/bin/env bash
# Prints the reader-experience numbers of the bundled knowledge base for humans: Lighthouse
# scores (four pages, mobile and desktop) and the weight of a first visit, and saves
# screenshots (light/dark, desktop/mobile) and print-to-PDF pages under target/kb-reader/
# to look at. Builds the site with the release binary. Pass --no-lighthouse to reuse the
# scores of the last run (tests/reader/run.sh writes them too).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/target/kb-reader"
SITE="$OUT/site"

node tests/check-node-deps.mjs || npm ci --prefix tests --no-audit --no-fund --loglevel=error
cargo build --release --quiet
rm -rf "$SITE" && mkdir -p "$OUT"
./target/release/kb build --quiet --dest "$SITE"

if [ "${1:-}" != "--no-lighthouse" ]; then
  node tests/reader/lighthouse.mjs "$SITE" "$OUT" >/dev/null || true
fi
node tests/reader/screenshots.mjs "$SITE" "$OUT/screenshots" >/dev/null
node tests/reader/report.mjs "$SITE" "$OUT"
echo
echo "Screenshots and printed pages: $OUT/screenshots/"
