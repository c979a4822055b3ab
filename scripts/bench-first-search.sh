#!/usr/bin/env bash
# The first search on a phone, kb against Pagefind 1.6.0 on the same site: builds the guide
# (127 pages) and synthetic sites (scripts/gen-corpus.py), indexes each with Pagefind too, and
# prints for each engine the median time from pressing `/` to the first result in headless
# Chromium on an emulated mobile link (1.6 Mbps down, 750 kbps up, 150 ms latency; cold
# cache), with the bytes and requests that took, served gzipped and, where the site has
# `.br` files, brotli (bench-first-search.mjs). A benchmark, not a test.
# Usage: scripts/bench-first-search.sh [guide] [PAGES...]   (default: guide 1000 10000)
#   KB_BIN=path uses that kb (else cargo build --release); RUNS=5; QUERY='connection pool';
#   TYPE_DELAY_MS=0 (>0: typed key by key); KB_BENCH_OUT=/dev/shm/kb-first-bench.
# Needs cargo, python3, node 20+, npm and Chromium (/usr/bin/chromium or CHROMIUM=...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${KB_BENCH_OUT:-/dev/shm/kb-first-bench}"
# shellcheck source=bench-setup.sh
source "$ROOT/scripts/bench-setup.sh"
for what in ${@:-guide 1000 10000}; do
  echo "== $what"
  if [ "$what" = guide ]; then
    book="$OUT/guide"
    rm -rf "$book"
    /usr/bin/time -f 'kb build: %e s' "$OUT/kb" build -q --root "$ROOT" --dest "$book"
  else
    site="$OUT/corpus-$what"
    python3 scripts/gen-corpus.py --pages "$what" --out "$site" >/dev/null
    book="$site/book"
    rm -rf "$book"
    /usr/bin/time -f 'kb build: %e s' "$OUT/kb" build -q --root "$site" --dest "$book"
  fi
  "$PAGEFIND" --site "$book" --quiet
  node scripts/bench-first-search.mjs "$book" kb pagefind
  if [ -n "$(find "$book/search" -name '*.br' -print -quit)" ]; then
    ENCODING=br node scripts/bench-first-search.mjs "$book" kb
  fi
done
