# What the build benchmarks share (sourced by scripts/bench-build.sh and
# scripts/bench-agents.sh): the release binary, the generated corpora, a copy of a corpus
# with a setting changed, and interleaved timing of two corpora.
# BENCH_DIR (default bench/) holds corpora and output; BENCH_RUNS (default 5) pairs of runs.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
KB="$PWD/target/release/kb"
BENCH_DIR="${BENCH_DIR:-bench}"
mkdir -p "$BENCH_DIR"

# bench_corpus PAGES: the folder of the generated corpus of PAGES pages (made once).
bench_corpus() {
    local dir="$BENCH_DIR/corpus-$1"
    [ -d "$dir" ] || python3 scripts/gen-corpus.py --pages "$1" --out "$dir" >&2
    echo "$dir"
}

# bench_variant DIR NAME TOML: the folder DIR-NAME, the same content as DIR with TOML added
# to its book.toml (made once).
bench_variant() {
    local dir="$1" variant="$1-$2"
    if [ ! -d "$variant" ]; then
        mkdir -p "$variant" && cp -r "$dir/content" "$variant/"
        { cat "$dir/book.toml"; printf '\n%s\n' "$3"; } >"$variant/book.toml"
    fi
    echo "$variant"
}

# bench_interleaved WHAT DIR_WITH DIR_WITHOUT: cold `kb build`s (output and search index
# removed first) of the two corpora, interleaved (with, without, with, ...) because on a
# shared machine the speed drifts over a minute, which would bias two back-to-back series.
# Prints wall and CPU time (user + system) of each, and what WHAT adds.
bench_interleaved() {
    python3 - "$KB" "$2" "$3" "${BENCH_RUNS:-5}" "$1" <<'PY'
import os, shutil, statistics, subprocess, sys, time
kb, with_dir, without_dir, runs, what = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def run(root):
    for sub in ("book", "search-index", ".kb-cache/search-index"):
        shutil.rmtree(f"{root}/{sub}", ignore_errors=True)
    before = os.times()
    start = time.perf_counter()
    subprocess.run([kb, "build", "-q", "--root", root], check=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu
run(with_dir), run(without_dir)  # warm-up
times = {"with": [], "without": []}
for _ in range(runs):
    times["with"].append(run(with_dir))
    times["without"].append(run(without_dir))
def med(name, k):
    return statistics.median(t[k] for t in times[name])
for name, t in times.items():
    walls = [w for w, _ in t]
    print(f"{name:8} wall median {med(name, 0):.3f} s (min {min(walls):.3f}, max {max(walls):.3f})  "
          f"CPU median {med(name, 1):.3f} s  ({runs} runs)")
for k, kind in ((0, "wall"), (1, "CPU")):
    w, wo = med("with", k), med("without", k)
    ratios = sorted(a[k] / b[k] - 1 for a, b in zip(times["with"], times["without"]))
    print(f"{what} adds {100 * (w - wo) / wo:.1f}% {kind} time (medians); per interleaved pair: "
          f"median {100 * statistics.median(ratios):.1f}%, range {100 * ratios[0]:.1f}% to {100 * ratios[-1]:.1f}%")
PY
}
