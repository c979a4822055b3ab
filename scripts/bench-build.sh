#!/usr/bin/env bash
# Times `kb build` on generated corpora of 1,000 and 10,000 pages (hyperfine, cold output
# folder each run), with the search index (the default) and without it, and prints wall
# time, peak memory and what the index adds. A benchmark, not a test.
# BENCH_DIR=/dev/shm/kb-bench keeps corpora and output on tmpfs (disk inode allocation
# varies a lot on a machine after many runs).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --quiet
KB="$PWD/target/release/kb"
BENCH_DIR="${BENCH_DIR:-bench}"
mkdir -p "$BENCH_DIR"
for pages in ${BENCH_PAGES:-1000 10000}; do
    dir="$BENCH_DIR/corpus-$pages"
    plain="$BENCH_DIR/corpus-$pages-nosearch"
    [ -d "$dir" ] || python3 scripts/gen-corpus.py --pages "$pages" --out "$dir"
    # The same content with search turned off.
    if [ ! -d "$plain" ]; then
        mkdir -p "$plain" && cp -r "$dir/content" "$plain/"
        { cat "$dir/book.toml"; printf '\n[output.html.search]\nenable = false\n'; } >"$plain/book.toml"
    fi
    echo
    echo "== $pages pages ($(du -sh "$dir/content" | cut -f1) of Markdown)"
    hyperfine --warmup 1 --runs "${BENCH_RUNS:-5}" --export-json "$BENCH_DIR/hyperfine-$pages.json" \
        --prepare "rm -rf $dir/book $dir/search-index $plain/book" \
        -n "with search" "$KB build -q --root $dir" -n "without search" "$KB build -q --root $plain"
    python3 - "$BENCH_DIR/hyperfine-$pages.json" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
w, wo = r["with search"], r["without search"]
print(f"search index adds {100 * (w - wo) / wo:.0f}% (median {w:.2f} s vs {wo:.2f} s)")
PY
    for d in "$dir" "$plain"; do
        /usr/bin/time -f "peak memory ($(basename "$d")): %M KB" "$KB" build -q --root "$d" 2>&1 | tail -1
    done
    "$KB" build -q --root "$dir" --timings 2>&1 | sed 's/^/  /'
done
