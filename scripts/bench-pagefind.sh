#!/usr/bin/env bash
# Pagefind on the same corpora as bench-search.sh, to report beside kb search: builds each
# synthetic corpus with kb, indexes it with Pagefind 1.6.0 (default settings: it indexes
# <body> minus nav/footer etc.), and prints indexing time, peak memory, output size and
# file count, then bytes/requests before the first 5 results and warm query p50/p95 in
# headless Chromium (bench-pagefind.mjs). A benchmark, not a test.
# Usage: scripts/bench-pagefind.sh [PAGES...]   (default: 1000 10000; KB_BIN=kb skips cargo build)
# Needs cargo, python3, node 20+, npm, /usr/bin/time, file and Chromium (/usr/bin/chromium or CHROMIUM=...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${KB_BENCH_OUT:-/dev/shm/kb-pagefind-bench}"
# shellcheck source=bench-setup.sh
source "$ROOT/scripts/bench-setup.sh"
echo "pagefind: $("$PAGEFIND" --version)"
for n in ${@:-1000 10000}; do
  echo "== $n pages"
  site="$OUT/corpus-$n"
  python3 scripts/gen-corpus.py --pages "$n" --out "$site"
  "$OUT/kb" build -q --root "$site"
  rm -rf "$site/book/pagefind"
  /usr/bin/time -f 'pagefind indexing: %e s wall, %M KB peak RSS' "$PAGEFIND" --site "$site/book" --quiet
  pf="$site/book/pagefind"
  data=$(find "$pf" -type f \( -name '*.pf_*' -o -name '*.pagefind' \))
  echo "pagefind output: $(du -sb "$pf" | cut -f1) bytes, $(find "$pf" -type f | wc -l) files;" \
    "index/fragment/wasm files: $(wc -l <<<"$data"), gzip already: $(xargs file -b <<<"$data" | grep -c '^gzip')"
  node scripts/bench-pagefind.mjs "$site/book"
done
