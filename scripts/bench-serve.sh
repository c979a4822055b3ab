#!/usr/bin/env bash
# Measures kb serve's page-edit latency on a large corpus: time from the file write to the
# reload message on the WebSocket, and to the new HTML being served (p50, p95, max).
#
#   scripts/bench-serve.sh [PAGES] [EDITS]      (defaults: 10000 pages, 40 edits)
#
# The corpus is generated once under target/bench-corpus-<PAGES> and edited in a copy.
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-10000}"
edits="${2:-40}"
corpus="target/bench-corpus-$pages"
if [ ! -d "$corpus/content" ]; then
    python3 scripts/gen-corpus.py --pages "$pages" --out "$corpus"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/site"
KB_BENCH_ROOT="$work/site" KB_BENCH_EDITS="$edits" \
    cargo test --release --test testsuite -- --ignored --nocapture bench::page_edit_latency
