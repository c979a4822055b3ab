#!/usr/bin/env bash
# Headless Chromium test of `[output.html] raw-html`: a page of XSS payloads
# (tests/fixtures/hostile_html/payloads.txt) built in each mode. Needs node 20+, the npm
# packages of tests/package.json (scripts/install-deps.sh installs them) and
# /usr/bin/chromium (or CHROMIUM=...). Builds kb unless KB names a binary.
set -euo pipefail
cd "$(dirname "$0")"
node ../check-node-deps.mjs
if [ -z "${KB:-}" ]; then
    (cd ../.. && cargo build --quiet)
    KB="$(cd ../.. && pwd)/target/debug/kb"
fi
export KB
export KB_RAW_HTML_OUT="${KB_RAW_HTML_OUT:-$(cd ../.. && pwd)/target/kb-raw-html-browser}"
timeout 300 node --test --test-concurrency=1 raw_html.test.mjs
