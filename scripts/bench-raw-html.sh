#!/usr/bin/env bash
# What `raw-html = "sanitize"` costs a build: `kb build` of the bundled guide with
# raw-html allow and sanitize, interleaved (ROUNDS pairs, default 5), and the same on a copy
# of the guide where every page has a line of raw HTML, so every page is sanitized (the
# guide itself has raw HTML on few pages, and pages without any are not sanitized).
# Prints each wall time and the median per mode. KB names the binary (default: a release
# build, made if missing); the search index is off so rendering dominates.
#
#   bash scripts/bench-raw-html.sh            # or KB=target/debug/kb ROUNDS=3 bash ...
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
if [ -z "${KB:-}" ]; then
    cargo build --release --quiet
    KB=target/release/kb
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# The copy with raw HTML on every page.
mkdir -p "$scratch/every"
cp book.toml "$scratch/every/"
cp -r content "$scratch/every/content"
find "$scratch/every/content" -name '*.md' -print0 | while IFS= read -r -d '' page; do
    printf '\n<div class="raw"><span id="raw-%s">raw</span></div>\n' "$RANDOM" >>"$page"
done

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for site in . "$scratch/every"; do
    name=$([ "$site" = . ] && echo "guide" || echo "guide, raw HTML on every page")
    : >"$scratch/allow.txt"
    : >"$scratch/sanitize.txt"
    for _ in $(seq "$ROUNDS"); do
        for mode in allow sanitize; do
            start=$(date +%s.%N)
            MDBOOK_OUTPUT__HTML__RAW_HTML=$mode MDBOOK_OUTPUT__HTML__SEARCH__ENABLE=false \
                "$KB" build --root "$site" --dest "$scratch/out-$mode" >/dev/null 2>&1
            end=$(date +%s.%N)
            echo "$end - $start" | bc >>"$scratch/$mode.txt"
        done
    done
    allow=$(median <"$scratch/allow.txt")
    sanitize=$(median <"$scratch/sanitize.txt")
    echo "$name: allow $(tr '\n' ' ' <"$scratch/allow.txt")s; sanitize $(tr '\n' ' ' <"$scratch/sanitize.txt")s"
    echo "$name: median allow ${allow}s, sanitize ${sanitize}s, sanitize/allow $(echo "scale=3; $sanitize / $allow" | bc)"
done
