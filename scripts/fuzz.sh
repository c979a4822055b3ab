#!/usr/bin/env bash
# The long property run: every parser kb runs on content and configuration (front matter,
# book.toml, SUMMARY.md, Markdown with mdBook's directives, data blocks; src/proptests.rs)
# on CASES inputs each (default 100,000) in a release build. Prints, per parser, the inputs
# run, the time and the slowest input, and fails when a parser panics or one input took
# over LIMIT_MS (default 5,000 ms). CI runs the same tests with proptest's 256 cases.
#
#   bash scripts/fuzz.sh                 # or CASES=1000000 bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${CASES:-100000}"
LIMIT_MS="${LIMIT_MS:-5000}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# Built first and run on its own, so the long run holds no cargo lock (other builds in the
# same target folder go on meanwhile).
tests="$(cargo test --release --lib --no-run 2>&1 | sed -n 's/.*Executable unittests src\/lib.rs (\(.*\))$/\1/p')"
if [ ! -x "$tests" ]; then
    echo "cannot find the release unit-test binary (cargo test --release --lib --no-run)" >&2
    exit 1
fi
start=$(date +%s)
PROPTEST_CASES="$CASES" "$tests" proptest_ --nocapture --test-threads=1 | tee "$log"
echo "the run took $(($(date +%s) - start)) s"
# libtest prints "test NAME ... " before a test's own output, on the same line.
results="$(grep -o 'proptest [A-Za-z].* inputs in .*' "$log" || true)"
if [ "$(printf '%s\n' "$results" | grep -c 'inputs in')" -ne 5 ]; then
    echo "expected a result line from each of the 5 parsers, got:" >&2
    printf '%s\n' "$results" >&2
    exit 1
fi
printf '%s\n' "$results" | awk -v limit="$LIMIT_MS" '
    { for (i = 1; i <= NF; i++) if ($i == "slowest") ms = $(i + 1) }
    ms + 0 > limit { print "too slow: " $0; bad = 1 }
    END { exit bad }'
echo "every parser: $CASES inputs, no panic, none over ${LIMIT_MS} ms"
