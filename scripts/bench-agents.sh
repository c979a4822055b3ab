#!/usr/bin/env bash
# What the agents' files (Markdown twins and their scripts, llms.txt, llms-full.txt) add to
# `kb build` on the generated 10,000-page corpus of scripts/bench-build.sh: wall and CPU
# time with them (the default) and without them ([kb.agents] off), interleaved, and the
# bytes they add to the output. A benchmark, not a test. BENCH_DIR, BENCH_PAGES and
# BENCH_RUNS as in bench-build.sh.
set -euo pipefail
source "$(dirname "$0")/lib-bench.sh"
pages="${BENCH_PAGES:-10000}"
dir=$(bench_corpus "$pages")
off=$(bench_variant "$dir" noagents $'[kb.agents]\nllms-txt = false\nmarkdown-twins = false')
echo "== $pages pages ($(du -sh "$dir/content" | cut -f1) of Markdown)"
bench_interleaved "the agents' files" "$dir" "$off"
# The last runs left both outputs in place.
python3 - "$dir" "$off" <<'PY'
import os, sys
on_dir, off_dir = sys.argv[1], sys.argv[2]
def size(root, only=None):
    total = 0
    for folder, _, files in os.walk(f"{root}/book"):
        for f in files:
            if only is None or only(f):
                total += os.path.getsize(os.path.join(folder, f))
    return total
on, off = size(on_dir), size(off_dir)
twins = size(on_dir, lambda f: f.endswith(".md"))
scripts = size(on_dir, lambda f: f.endswith(".md.js"))
full = os.path.getsize(f"{on_dir}/book/llms-full.txt")
index = os.path.getsize(f"{on_dir}/book/llms.txt")
mib = 1024 * 1024
print(f"output {on / mib:.1f} MiB with, {off / mib:.1f} MiB without: +{100 * (on - off) / off:.1f}% "
      f"(twins {twins / mib:.1f} MiB, their scripts {scripts / mib:.1f} MiB, "
      f"llms-full.txt {full / mib:.1f} MiB, llms.txt {index / 1024:.0f} KiB)")
PY
