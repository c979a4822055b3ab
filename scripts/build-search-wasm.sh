#!/usr/bin/env bash
# Builds the browser search module reproducibly and records the hash of its sources:
#   crates/kb-search-wasm/dist/kb_search.wasm   the module kb embeds (include_bytes!)
#   crates/kb-search-wasm/dist/SOURCES.sha256   what check-search-wasm.sh compares
#   crates/kb-search-wasm/dist/BUILD-INFO       toolchain versions (informational)
# Runs wasm-opt -Os when binaryen is installed (apt-get install binaryen).
#
# Compiler: the rustc on PATH (BUILD-INFO names the one that built the committed module;
# use the same one for the same bytes). Its wasm32 standard library is built from the
# standard library's source with -Zbuild-std (RUSTC_BOOTSTRAP lets a stable rustc use the
# unstable flags), optimised for size with the module (`optimize_for_size`), and the
# module is compiled without Debug formatting or panic locations (-Zfmt-debug=none,
# -Zlocation-detail=none): measured on 6 December, 2.18 MB raw / 503 KB brotli with
# rustup's prebuilt std, 1.44 MB / 337 KB this way. The source is taken from
# $KB_RUST_SRC (a rust source tree with library/), else rustup's rust-src component, else
# Debian's `rust-src` package of exactly this rustc's version, downloaded (not installed)
# into ~/.cache/kb/ from the Debian mirror this machine's apt uses.
# KB_WASM_BUILD_STD=0 takes rustup's prebuilt std instead (rustup target add
# wasm32-unknown-unknown; a larger module). BUILD-INFO says which one was used.
#
# The crates are built from a copy at a fixed path, /tmp/kb-search-wasm-build (one build
# at a time per machine): cargo hashes the absolute path of ../kb-search, which lies
# outside this crate's workspace, into every symbol name, and the names decide the
# module's layout, so the same sources built in two checkouts gave different bytes.
set -euo pipefail
shopt -s inherit_errexit
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/crates/kb-search-wasm"
DIST="$CRATE/dist"
TARGET=wasm32-unknown-unknown
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
mkdir -p "$DIST"

SYSROOT="$(rustc --print sysroot)"
RUST_RELEASE="$(rustc -vV | sed -n 's/^release: //p')"
RUST_COMMIT="$(rustc -vV | sed -n 's/^commit-hash: //p')"
# Where Debian's rust-src for this rustc is unpacked (see debian_rust_src).
DEBIAN_SRC_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kb/rust-src-$RUST_RELEASE"

# The Debian mirror of this machine's apt configuration (one-line or deb822 format).
debian_mirror() {
  local one_line deb822
  one_line="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)"
  deb822="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  {
    sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\/debian\) .*/\2/p' <<<"$one_line"
    sed -n 's/^URIs: *\([^ ]*\/debian\)$/\1/p' <<<"$deb822"
  } | sed -n 1p
}

# Prints the directory of Debian's rust-src for $RUST_RELEASE (a tree with library/),
# downloading and unpacking the package the first time. Uses apt lists of its own, so
# the machine's apt configuration and installed packages are left alone.
debian_rust_src() {
  local cache="$DEBIAN_SRC_CACHE"
  # VERSION is written last, so a download cut short is started again.
  if [ -f "$cache/VERSION" ]; then
    echo "$cache/tree/usr/src/rustc-$RUST_RELEASE"
    return
  fi
  local mirror
  mirror="$(debian_mirror)"
  [ -n "$mirror" ] || { echo "build-search-wasm: no Debian mirror in /etc/apt" >&2; return 1; }
  command -v apt-get >/dev/null || { echo "build-search-wasm: apt-get not found" >&2; return 1; }
  local apt="$cache/apt"
  rm -rf "$cache" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/tree"
  # Newer Debian suites carry newer Rust; backports carry several versions at once.
  local suite
  for suite in sid trixie-backports trixie bookworm-backports; do
    echo "deb $mirror $suite main"
  done > "$apt/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  echo "build-search-wasm: fetching Debian's rust-src $RUST_RELEASE" >&2
  apt-get "${opts[@]}" -qq update >&2 || return 1
  local version
  version="$(apt-cache "${opts[@]}" madison rust-src |
    awk -v want="$RUST_RELEASE+" '!found && index($3, want) == 1 { print $3; found = 1 }')"
  if [ -z "$version" ]; then
    echo "build-search-wasm: Debian has no rust-src $RUST_RELEASE; install the wasm32" \
      "target or rust-src for this rustc, or point KB_RUST_SRC at its source tree" >&2
    return 1
  fi
  (cd "$apt" && apt-get "${opts[@]}" -qq download "rust-src=$version" >&2) || return 1
  dpkg-deb -x "$apt"/rust-src_*.deb "$cache/tree" || return 1
  echo "$version" > "$cache/VERSION"
  rm -rf "$apt"
  echo "$cache/tree/usr/src/rustc-$RUST_RELEASE"
}

STAGE=/tmp/kb-search-wasm-build
exec 9>"$STAGE.lock"
flock 9
rm -rf "$STAGE" && mkdir -p "$STAGE"
tar -C "$ROOT" -c --exclude=target --exclude=dist crates/kb-search crates/kb-search-wasm \
  vendor/tantivy-sstable vendor/bitpacking |
  tar -C "$STAGE" -x

# Absolute paths end up in panic messages; remap them so the bytes do not depend on
# where the copy, the target folder (under the repository), the cargo registry or the
# standard library's source live.
RUSTFLAGS="--cfg getrandom_backend=\"unsupported\" --remap-path-prefix=$STAGE=/kb --remap-path-prefix=$ROOT=/kb --remap-path-prefix=$CARGO_HOME=/cargo"
BUILD_STD=()
if [ "${KB_WASM_BUILD_STD:-1}" = 0 ]; then
  [ -d "$SYSROOT/lib/rustlib/$TARGET/lib" ] ||
    { echo "build-search-wasm: KB_WASM_BUILD_STD=0 needs rustup target add $TARGET" >&2; exit 1; }
  STD="prebuilt (rustup target $TARGET)"
else
  if [ -n "${KB_RUST_SRC:-}" ]; then
    SRC="$KB_RUST_SRC"
    STD="built from source (KB_RUST_SRC)"
  elif [ -d "$SYSROOT/lib/rustlib/src/rust/library" ]; then
    SRC="$SYSROOT/lib/rustlib/src/rust"
    STD="built from source (rustup component rust-src)"
  else
    SRC="$(debian_rust_src)"
    STD="built from source (Debian rust-src $(cat "$DEBIAN_SRC_CACHE/VERSION"))"
  fi
  [ -d "$SRC/library" ] || { echo "build-search-wasm: no library/ in $SRC" >&2; exit 1; }
  # -Zbuild-std is unstable: RUSTC_BOOTSTRAP lets a stable rustc use it. Cargo looks for
  # the source in the sysroot unless told otherwise by this (test-named) variable.
  export RUSTC_BOOTSTRAP=1 __CARGO_TESTS_ONLY_SRC_ROOT="$SRC/library"
  BUILD_STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
  # Error messages the module returns use Display, never Debug (which prints nothing).
  RUSTFLAGS="$RUSTFLAGS -Zfmt-debug=none -Zlocation-detail=none"
  STD="$STD, optimize_for_size; module without Debug formatting or panic locations"
  # Where rustup's own std says its source was, so panic locations read the same.
  RUSTFLAGS="$RUSTFLAGS --remap-path-prefix=$SRC=/rustc/$RUST_COMMIT"
fi
export RUSTFLAGS
export SOURCE_DATE_EPOCH=0
(cd "$STAGE/crates/kb-search-wasm" &&
  CARGO_TARGET_DIR="$CRATE/target" cargo build --locked --release --target "$TARGET" "${BUILD_STD[@]}")
RAW="$CRATE/target/$TARGET/release/kb_search_wasm.wasm"

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
  echo "wasm32 std: $STD"
  echo "wasm-opt: $OPT"
  echo "module sha256: $(sha256sum "$DIST/kb_search.wasm" | cut -d' ' -f1)"
} > "$DIST/BUILD-INFO"
SIZE=$(wc -c < "$DIST/kb_search.wasm")
GZ=$(gzip -9 -c "$DIST/kb_search.wasm" | wc -c)
echo "kb_search.wasm: $SIZE bytes, $GZ gzip -9"
