#!/usr/bin/env bash
# Checks kb's dependencies (Cargo.lock) against the RustSec advisory database with
# cargo-audit, or cargo-deny when that is the one installed. Both need the database
# (github.com/rustsec/advisory-db): when the tool or the database cannot be had (no network,
# as on the machines kb is developed on), this prints that it SKIPPED and why, and exits 0,
# so a skip is never mistaken for a pass; KB_REQUIRE_AUDIT=1 (for CI with network) makes a
# skip fail instead.
set -uo pipefail
cd "$(dirname "$0")/.."

DB_URL=https://github.com/rustsec/advisory-db.git
DB_DIR="${CARGO_HOME:-$HOME/.cargo}/advisory-db"

skip() {
    echo "SKIPPED dependency advisories: $*"
    if [ "${KB_REQUIRE_AUDIT:-0}" = 1 ]; then
        echo "KB_REQUIRE_AUDIT=1: a skipped audit fails" >&2
        exit 1
    fi
    exit 0
}

if cargo audit --version >/dev/null 2>&1; then
    tool=audit
elif cargo deny --version >/dev/null 2>&1; then
    tool=deny
else
    skip "neither cargo-audit nor cargo-deny is installed (cargo install cargo-audit --locked)"
fi

if timeout 30 git ls-remote --quiet "$DB_URL" HEAD >/dev/null 2>&1; then
    fetch=yes
elif [ -d "$DB_DIR" ]; then
    # A copy from an earlier run is better than nothing, but say how old it is.
    fetch=no
    echo "note: $DB_URL cannot be reached; using the local copy in $DB_DIR ($(git -C "$DB_DIR" log -1 --format=%cs 2>/dev/null || echo 'date unknown'))"
else
    skip "the advisory database cannot be fetched from $DB_URL (no network) and there is no local copy in $DB_DIR"
fi

case "$tool" in
    audit)
        if [ "$fetch" = yes ]; then cargo audit --db "$DB_DIR"; else cargo audit --db "$DB_DIR" --no-fetch; fi ;;
    deny)
        if [ "$fetch" = yes ]; then cargo deny check advisories; else cargo deny check --disable-fetch advisories; fi ;;
esac
