#!/usr/bin/env bash
# Builds the browser search module reproducibly and records the hash of its sources:
#   crates/kb-search-wasm/dist/kb_search.wasm   the module kb embeds (include_bytes!)
#   crates/kb-search-wasm/dist/SOURCES.sha256   what check-search-wasm.sh compares
#   crates/kb-search-wasm/dist/BUILD-INFO       toolchain versions (informational)
# Needs the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown);
# runs wasm-opt -Os when binaryen is installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/crates/kb-search-wasm"
DIST="$CRATE/dist"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
mkdir -p "$DIST"

# Absolute paths end up in panic messages; remap them so the bytes do not depend on
# where the repository or the cargo registry live.
export RUSTFLAGS="--cfg getrandom_backend=\"unsupported\" --remap-path-prefix=$ROOT=/kb --remap-path-prefix=$CARGO_HOME=/cargo"
export SOURCE_DATE_EPOCH=0
(cd "$CRATE" && cargo build --locked --release --target wasm32-unknown-unknown)
RAW="$CRATE/target/wasm32-unknown-unknown/release/kb_search_wasm.wasm"

if command -v wasm-opt >/dev/null 2>&1; then
  # Binaryen 108 needs the features rustc's wasm32 target enables spelled out.
  wasm-opt -Os --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    "$RAW" -o "$DIST/kb_search.wasm.tmp"
  OPT="$(wasm-opt --version)"
else
  cp "$RAW" "$DIST/kb_search.wasm.tmp"
  OPT="none (wasm-opt not installed)"
fi

# Replace atomically: kb embeds this file and may be compiling right now.
mv "$DIST/kb_search.wasm.tmp" "$DIST/kb_search.wasm"
"$ROOT/scripts/search-wasm-sources.sh" > "$DIST/SOURCES.sha256"
{
  echo "rustc: $(rustc --version)"
  echo "cargo: $(cargo --version)"
  echo "wasm-opt: $OPT"
  echo "module sha256: $(sha256sum "$DIST/kb_search.wasm" | cut -d' ' -f1)"
} > "$DIST/BUILD-INFO"
SIZE=$(wc -c < "$DIST/kb_search.wasm")
GZ=$(gzip -9 -c "$DIST/kb_search.wasm" | wc -c)
echo "kb_search.wasm: $SIZE bytes, $GZ gzip -9"
