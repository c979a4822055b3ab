#!/usr/bin/env bash
# Benchmark of kb search at 1,000 and 10,000 pages: native build time, index size, module
# size, bytes downloaded before the first results, and warm query p50/p95 in the wasm
# module under node (target: p95 < 10 ms at 10,000 pages).
# Usage: scripts/bench-search.sh [PAGES...]   (default: 1000 10000)
# KB_BENCH_CORPUS=file.json indexes those SectionDocs instead of the synthetic corpus.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${KB_BENCH_OUT:-$ROOT/target/kb-search-bench}"
WASM="$ROOT/crates/kb-search-wasm/dist/kb_search.wasm"
cd "$ROOT"
cargo build --quiet --release -p kb-search --example bench_corpus
for pages in "${@:-1000 10000}"; do
  for n in $pages; do
    echo "== $n pages"
    "$ROOT/target/release/examples/bench_corpus" "$n" "$OUT/$n" ${KB_BENCH_CORPUS:+"$KB_BENCH_CORPUS"}
    node "$ROOT/scripts/bench-search.mjs" "$WASM" "$OUT/$n/site/search"
  done
done
