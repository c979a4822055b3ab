#!/usr/bin/env bash
# Lists the sources of the committed search module with their SHA-256, one per line,
# then a "total" line: the hash of the lines above. Sourced by build-search-wasm.sh (to
# record it) and check-search-wasm.sh (to compare); needs only coreutils.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
{
  find crates/kb-search/src crates/kb-search-wasm/src vendor/tantivy-sstable/src \
    vendor/bitpacking/src -type f -name '*.rs'
  printf '%s\n' crates/kb-search/Cargo.toml crates/kb-search-wasm/Cargo.toml \
    crates/kb-search-wasm/Cargo.lock crates/kb-search-wasm/.cargo/config.toml \
    vendor/tantivy-sstable/Cargo.toml vendor/bitpacking/Cargo.toml \
    scripts/build-search-wasm.sh
} | LC_ALL=C sort | while read -r f; do
  printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
done > /tmp/kb-search-sources.$$
cat /tmp/kb-search-sources.$$
printf 'total  %s\n' "$(sha256sum < /tmp/kb-search-sources.$$ | cut -d' ' -f1)"
rm -f /tmp/kb-search-sources.$$
