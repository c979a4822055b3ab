#!/usr/bin/env bash
# Installs what kb's tests need and a fresh machine lacks: a Go toolchain (for `kb check`),
# Debian's Chromium (browser tests), and the npm packages of the browser tests (from their
# committed lock files). Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

sh scripts/install-go.sh

if ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium (Debian package)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi
