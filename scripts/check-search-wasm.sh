#!/usr/bin/env bash
# CI check: the committed search module was built from the committed sources.
# Recomputes the source hashes and compares them with dist/SOURCES.sha256, and checks
# the module's own hash against dist/BUILD-INFO. No wasm toolchain needed.
# On failure, rebuild with scripts/build-search-wasm.sh and commit dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/crates/kb-search-wasm/dist"
fail() { echo "check-search-wasm: $*" >&2; echo "rebuild with scripts/build-search-wasm.sh and commit crates/kb-search-wasm/dist/" >&2; exit 1; }
[ -f "$DIST/kb_search.wasm" ] || fail "missing $DIST/kb_search.wasm"
[ -f "$DIST/SOURCES.sha256" ] || fail "missing $DIST/SOURCES.sha256"
if ! diff -u "$DIST/SOURCES.sha256" <("$ROOT/scripts/search-wasm-sources.sh") >&2; then
  fail "sources changed since the module was built (lines above)"
fi
want=$(sed -n 's/^module sha256: //p' "$DIST/BUILD-INFO")
have=$(sha256sum "$DIST/kb_search.wasm" | cut -d' ' -f1)
[ "$want" = "$have" ] || fail "kb_search.wasm does not match BUILD-INFO ($have != $want)"
echo "check-search-wasm: ok ($(tail -n1 "$DIST/SOURCES.sha256"))"
