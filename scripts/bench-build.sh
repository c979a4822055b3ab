#!/usr/bin/env bash
# Times `kb build` on generated corpora of 1,000 and 10,000 pages (cold output folder each
# run), with the search index (the default) and without it, interleaved, and prints wall
# and CPU time, what the index adds, peak memory and each step's time (the step that waits
# on another thread, `index wait`, says whether indexing is the critical path). A
# benchmark, not a test.
# BENCH_DIR=/dev/shm/kb-bench keeps corpora and output on tmpfs (disk inode allocation
# varies a lot on a machine after many runs).
# BENCH_PAGES="1000 10000 100000" adds the 100,000-page size (765 MB of Markdown, minutes
# per build, not for CI): sizes of 100,000 pages and more run once (BENCH_RUNS=1).
set -euo pipefail
source "$(dirname "$0")/lib-bench.sh"
for pages in ${BENCH_PAGES:-1000 10000}; do
    dir=$(bench_corpus "$pages")
    plain=$(bench_variant "$dir" nosearch $'[output.html.search]\nenable = false')
    echo
    echo "== $pages pages ($(du -sh "$dir/content" | cut -f1) of Markdown)"
    runs="${BENCH_RUNS:-5}"
    [ "$pages" -lt 100000 ] || runs=1
    BENCH_RUNS=$runs bench_interleaved "the search index" "$dir" "$plain"
    for d in "$dir" "$plain"; do
        /usr/bin/time -f "peak memory ($(basename "$d")): %M KB, wall %e s" "$KB" build -q --root "$d" 2>&1 | tail -1
    done
    "$KB" build -q --root "$dir" --timings 2>&1 | sed 's/^/  /'
done
