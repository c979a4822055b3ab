#!/usr/bin/env bash
# Browser tests of mdBook books built by kb (tests/fixtures/books/): the "Show all" button of
# code blocks with hidden lines, the print page, and the kitchen-sink book. Builds the fixture
# books with the debug binary (or KB=...) into $OUT and leaves screenshots there to look at
# (the kitchen sink's nested chapter, part title, included listing and print page, light
# and dark). The kitchen sink's plugin runs when scripts/install-deps.sh has installed it.
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
# The kitchen sink as a user has it after `mdbook-admonish install` (in a copy: the install
# writes into the book), or without its optional plugin when that is not installed.
PLUGINS_BIN="${KB_PLUGINS_DIR:-$HOME/.cache/kb/mdbook-plugins}/bin"
SINK="$OUT/kitchen-sink-src"
cp -r tests/fixtures/books/kitchen-sink "$SINK"
if [ -x "$PLUGINS_BIN/mdbook-admonish" ]; then
    (cd "$SINK" && "$PLUGINS_BIN/mdbook-admonish" install >/dev/null)
    PATH="$PLUGINS_BIN:$PATH" "$KB" build --quiet --root "$SINK" --dest "$OUT/kitchen-sink"
else
    "$KB" build --quiet --root "$SINK" --dest "$OUT/kitchen-sink"
fi
KB_BOOKS_SITE="$OUT" KB_BOOKS_SHOTS="$OUT/screenshots" \
    timeout 600 node --test --test-concurrency=1 "$HERE/browser.test.mjs"
