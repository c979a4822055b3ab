#!/usr/bin/env bash
# Parity test: native answers (cargo example `dump`) vs the committed wasm module in node,
# which reads the paged index as the browser does; and the pages fetched ahead of the
# module against those queries read first, on the built guide.
# Needs node 20+ (no npm packages).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${KB_PARITY_DIR:-$ROOT/target/kb-search-parity}"
cd "$ROOT"
# The fixture corpus (its index fits in the head), 60 copies of it (an index of many
# pages, so answers load pages on demand, as on a large site), and 430.
cargo run --quiet --release -p kb-search --example dump -- \
  tests/search/fixtures/corpus.json tests/search/fixtures/queries.json "$OUT/small"
cargo run --quiet --release -p kb-search --example dump -- \
  tests/search/fixtures/corpus.json tests/search/fixtures/queries.json "$OUT/paged" --copies 60
# 430 copies: 16,770 sections, past the size from which a segment of sections has its
# norms and skip index read sparsely (crates/kb-search/src/sparse.rs).
cargo run --quiet --release -p kb-search --example dump -- \
  tests/search/fixtures/corpus.json tests/search/fixtures/queries.json "$OUT/large" --copies 430
# The bundled guide, for what a search fetches while the module loads (prefetch.json).
cargo run --quiet --release -- build --quiet --dest "$OUT/guide/site"
KB_PARITY_DIR="$OUT" node --test tests/search/parity.test.mjs
