# Sourced by bench-pagefind.sh and bench-first-search.sh (not run on its own): after
# `set -euo pipefail`, with ROOT (the repository) and OUT (the scratch folder) set, puts a
# copy of kb at "$OUT/kb" (KB_BIN, else a release build: rebuilds of the tree during the run
# do not affect it), checks the browser tests' npm packages, installs Pagefind 1.6.0 into
# "$OUT/node" and sets PAGEFIND to its command.
mkdir -p "$OUT/node"
cd "$ROOT"
[ -n "${KB_BIN:-}" ] || { cargo build --release --quiet && KB_BIN=target/release/kb; }
cp "$KB_BIN" "$OUT/kb"
node tests/check-node-deps.mjs || npm ci --prefix tests --no-audit --no-fund
[ -x "$OUT/node/node_modules/.bin/pagefind" ] || (cd "$OUT/node" && echo '{"private": true}' >package.json &&
  npm install --no-audit --no-fund pagefind@1.6.0)
PAGEFIND="$OUT/node/node_modules/.bin/pagefind"
