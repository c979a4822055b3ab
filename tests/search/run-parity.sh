#!/usr/bin/env bash
# Parity test: native answers (cargo example `dump`) vs the committed wasm module in node.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${KB_PARITY_DIR:-$ROOT/target/kb-search-parity}"
cd "$ROOT"
cargo run --quiet --release -p kb-search --example dump -- \
  tests/search/fixtures/corpus.json tests/search/fixtures/queries.json "$OUT"
KB_PARITY_DIR="$OUT" node --test tests/search/parity.test.mjs
