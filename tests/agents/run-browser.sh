#!/usr/bin/env bash
# Headless Chromium test of the "Copy page as Markdown" button. Needs node 20+, the npm
# packages of tests/package.json (scripts/install-deps.sh installs them) and
# /usr/bin/chromium (or CHROMIUM=...). Builds kb unless KB names a binary.
set -euo pipefail
# KB may be relative to the caller's folder: make it absolute before leaving it.
if [ -n "${KB:-}" ]; then KB=$(realpath "$KB"); export KB; fi
cd "$(dirname "$0")"
node ../check-node-deps.mjs
if [ -z "${KB:-}" ]; then
    (cd ../.. && cargo build --quiet)
fi
timeout 300 node copy-markdown.mjs
