#!/usr/bin/env bash
# Measures kb serve on a large corpus: the time to the first served page (a page deep in
# the site, asked for while the first build runs) and to the end of that build, the
# server's resident memory, and the page-edit latency: time from the file write to the
# reload message on the WebSocket, and to the new HTML being served (p50, p95, max).
#
#   scripts/bench-serve.sh [PAGES] [EDITS]      (defaults: 10000 pages, 40 edits)
#   scripts/bench-serve.sh 100000               (765 MB of Markdown, minutes; not for CI)
#   KB_BENCH_BIN=/path/to/kb scripts/bench-serve.sh    (another build of kb, to interleave runs)
#
# The corpus is generated once under $BENCH_DIR/bench-corpus-<PAGES> (default target/) and
# edited in a copy under $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-10000}"
edits="${2:-40}"
corpus="${BENCH_DIR:-target}/bench-corpus-$pages"
if [ ! -d "$corpus/content" ]; then
    python3 scripts/gen-corpus.py --pages "$pages" --out "$corpus"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/site"
KB_BENCH_ROOT="$work/site" KB_BENCH_EDITS="$edits" KB_BENCH_BIN="${KB_BENCH_BIN:-}" \
    cargo test --release --test testsuite -- --ignored --nocapture bench::page_edit_latency
