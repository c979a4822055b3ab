#!/usr/bin/env bash
# Times `kb build` on generated corpora of 1,000 and 10,000 pages (hyperfine, cold output
# folder each run) and prints wall time and peak memory. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
KB="$PWD/target/release/kb"
mkdir -p bench
for pages in ${BENCH_PAGES:-1000 10000}; do
    dir="bench/corpus-$pages"
    [ -d "$dir" ] || python3 scripts/gen-corpus.py --pages "$pages" --out "$dir"
    echo
    echo "== $pages pages ($(du -sh "$dir/content" | cut -f1) of Markdown)"
    hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --prepare "rm -rf $dir/book $dir/search-index" \
        "$KB build -q --root $dir"
    /usr/bin/time -f "peak memory: %M KB" "$KB" build -q --root "$dir" 2>&1 | tail -1
    "$KB" build -q --root "$dir" --timings 2>&1 | sed 's/^/  /'
done
