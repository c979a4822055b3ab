#!/usr/bin/env bash
# Measures kb serve's /__kb/search endpoint under 50 concurrent clients with wrk
# (apt-get install wrk), next to a page for comparison.
#
#   scripts/bench-serve-search.sh [ROOT] [SECONDS]     (defaults: the repository's site, 10 s)
#
# KB=<binary> picks the kb to measure (default: target/release/kb, built if missing).
# Queries rotate over a handful of words so no answer is a repeat of the last one.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-.}"
seconds="${2:-10}"
kb="${KB:-target/release/kb}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$kb" ] || cargo build --release --bin kb
work="$(mktemp -d)"
"$kb" serve --quiet --port 0 --root "$root" >"$work/out" 2>"$work/err" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 600); do
    port="$(sed -n 's#.*http://127.0.0.1:\([0-9]*\)/.*#\1#p' "$work/out")"
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "kb serve printed no address:" >&2; cat "$work/err" >&2; exit 1; }
base="http://127.0.0.1:$port"
# The live index is built in the background: wait until search answers.
for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/__kb/search?q=pool")" = 200 ] && break
    sleep 0.1
done
cat >"$work/queries.lua" <<'LUA'
local words = {"connection pool", "index", "retry backoff", "transaction", "cache", "goroutine leak", "kubernetes", "timeout"}
local n = 0
request = function()
    n = n + 1
    local q = words[(n % #words) + 1]:gsub(" ", "+")
    return wrk.format("GET", "/__kb/search?q=" .. q)
end
LUA
# CPU time the server spends (user + system, in clock ticks): per request it says what a
# query costs whatever else the machine is doing, which wall-clock rates on a busy
# machine do not.
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
echo "== /__kb/search, 50 connections, ${seconds}s ($kb)"
before="$(ticks)"
wrk -t2 -c50 -d"${seconds}s" --latency -s "$work/queries.lua" "$base" | tee "$work/wrk"
after="$(ticks)"
requests="$(awk '/requests in/ {print $1}' "$work/wrk")"
awk -v t="$((after - before))" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    -v s="$seconds" 'BEGIN { printf "server CPU per search: %.2f ms (%d requests); cores busy: %.2f\n", t * 1000 / hz / n, n, t / hz / s }'
echo "== / (a page), 50 connections, ${seconds}s"
wrk -t2 -c50 -d"${seconds}s" --latency "$base/"
