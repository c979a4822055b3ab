#!/usr/bin/env bash
# Browser tests of mdBook books built by kb (tests/fixtures/books/): the "Show all" button of
# code blocks with hidden lines, and the print page. Builds the fixture books with the debug
# binary (or KB=...) into $OUT and leaves screenshots of the print page there to look at.
# Needs node 20+, the npm packages of tests/package.json (scripts/install-deps.sh installs
# them) and Chromium at /usr/bin/chromium (or CHROMIUM=...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${KB_BOOKS_OUT:-$ROOT/target/kb-books-browser}"
node "$ROOT/tests/check-node-deps.mjs"
cd "$ROOT"
if [ -z "${KB:-}" ]; then
    cargo build --quiet
    KB="$ROOT/target/debug/kb"
fi
rm -rf "$OUT" && mkdir -p "$OUT/screenshots"
for book in includes mdbook; do
    "$KB" build --quiet --root "tests/fixtures/books/$book" --dest "$OUT/$book"
done
KB_BOOKS_SITE="$OUT" KB_BOOKS_SHOTS="$OUT/screenshots" \
    timeout 600 node --test --test-concurrency=1 "$HERE/browser.test.mjs"
