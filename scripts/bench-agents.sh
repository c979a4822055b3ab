#!/usr/bin/env bash
# What the agents' files (Markdown twins, llms.txt, llms-full.txt) add to `kb build` on the
# generated 10,000-page corpus of scripts/bench-build.sh: wall time with them (the default)
# and without them ([kb.agents] off), interleaved, and the bytes they add to the output.
# A benchmark, not a test. BENCH_DIR and BENCH_PAGES as in bench-build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
KB="$PWD/target/release/kb"
BENCH_DIR="${BENCH_DIR:-bench}"
mkdir -p "$BENCH_DIR"
pages="${BENCH_PAGES:-10000}"
dir="$BENCH_DIR/corpus-$pages"
off="$BENCH_DIR/corpus-$pages-noagents"
[ -d "$dir" ] || python3 scripts/gen-corpus.py --pages "$pages" --out "$dir"
if [ ! -d "$off" ]; then
    mkdir -p "$off" && cp -r "$dir/content" "$off/"
    { cat "$dir/book.toml"; printf '\n[kb.agents]\nllms-txt = false\nmarkdown-twins = false\n'; } >"$off/book.toml"
fi
echo "== $pages pages ($(du -sh "$dir/content" | cut -f1) of Markdown)"
python3 - "$KB" "$dir" "$off" "${BENCH_RUNS:-5}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
kb, on_dir, off_dir, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def run(root):
    for sub in ("book", ".kb-cache/search-index"):
        shutil.rmtree(f"{root}/{sub}", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([kb, "build", "-q", "--root", root], check=True)
    return time.perf_counter() - start
def size(root, only=None):
    total = 0
    for folder, _, files in os.walk(f"{root}/book"):
        for f in files:
            if only is None or only(f):
                total += os.path.getsize(os.path.join(folder, f))
    return total
run(on_dir), run(off_dir)  # warm-up
times = {"with": [], "without": []}
for _ in range(runs):
    times["with"].append(run(on_dir))
    times["without"].append(run(off_dir))
w, wo = statistics.median(times["with"]), statistics.median(times["without"])
ratios = sorted(a / b - 1 for a, b in zip(times["with"], times["without"]))
for name, t in times.items():
    print(f"{name + ' agents files':20} median {statistics.median(t):.3f} s  min {min(t):.3f} s  max {max(t):.3f} s  ({runs} runs)")
print(f"agents files add {100 * (w - wo) / wo:.1f}% of build time (medians); per interleaved pair: median {100 * statistics.median(ratios):.1f}%, range {100 * ratios[0]:.1f}% to {100 * ratios[-1]:.1f}%")
on, off = size(on_dir), size(off_dir)
twins = size(on_dir, lambda f: f.endswith(".md"))
full = os.path.getsize(f"{on_dir}/book/llms-full.txt")
index = os.path.getsize(f"{on_dir}/book/llms.txt")
mib = 1024 * 1024
print(f"output {on / mib:.1f} MiB with, {off / mib:.1f} MiB without: +{100 * (on - off) / off:.1f}% "
      f"(twins {twins / mib:.1f} MiB, llms-full.txt {full / mib:.1f} MiB, llms.txt {index / 1024:.0f} KiB)")
PY
