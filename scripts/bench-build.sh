#!/usr/bin/env bash
# Times `kb build` on generated corpora of 1,000 and 10,000 pages (cold output folder each
# run), with the search index (the default) and without it, interleaved, and prints wall
# time, what the index adds, peak memory and each step's time (the step that waits on
# another thread, `index wait`, says whether indexing is the critical path). A benchmark,
# not a test.
# BENCH_DIR=/dev/shm/kb-bench keeps corpora and output on tmpfs (disk inode allocation
# varies a lot on a machine after many runs).
# BENCH_PAGES="1000 10000 100000" adds the 100,000-page size (765 MB of Markdown, minutes
# per build, not for CI): sizes of 100,000 pages and more run once (BENCH_RUNS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
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
    # Interleaved runs (with, without, with, ...): on a shared machine the speed drifts
    # over a minute, which would bias two back-to-back hyperfine series.
    runs="${BENCH_RUNS:-5}"
    [ "$pages" -lt 100000 ] || runs=1
    python3 - "$KB" "$dir" "$plain" "$runs" <<'PY'
import shutil, statistics, subprocess, sys, time
kb, with_dir, without_dir, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def run(root):
    for sub in ("book", "search-index", ".kb-cache/search-index"):
        shutil.rmtree(f"{root}/{sub}", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([kb, "build", "-q", "--root", root], check=True)
    return time.perf_counter() - start
run(with_dir), run(without_dir)  # warm-up
times = {"with": [], "without": []}
for _ in range(runs):
    times["with"].append(run(with_dir))
    times["without"].append(run(without_dir))
w, wo = statistics.median(times["with"]), statistics.median(times["without"])
ratios = sorted(a / b - 1 for a, b in zip(times["with"], times["without"]))
for name, t in times.items():
    print(f"{name + ' search':15} median {statistics.median(t):.3f} s  min {min(t):.3f} s  max {max(t):.3f} s  ({runs} runs)")
print(f"search index adds {100 * (w - wo) / wo:.0f}% (medians); per interleaved pair: median {100 * statistics.median(ratios):.0f}%, range {100 * ratios[0]:.0f}% to {100 * ratios[-1]:.0f}%")
PY
    for d in "$dir" "$plain"; do
        /usr/bin/time -f "peak memory ($(basename "$d")): %M KB, wall %e s" "$KB" build -q --root "$d" 2>&1 | tail -1
    done
    "$KB" build -q --root "$dir" --timings 2>&1 | sed 's/^/  /'
done
