#!/usr/bin/env bash
# Headless Chromium test of kb serve (live reload, error overlay). Needs node, npm and
# /usr/bin/chromium (or CHROMIUM=...). Builds kb unless KB names a binary.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
if [ -z "${KB:-}" ]; then
    (cd ../.. && cargo build --quiet)
fi
timeout 300 node reload.mjs
