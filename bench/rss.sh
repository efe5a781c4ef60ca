#!/usr/bin/env bash
# Peak RSS of the server under four concurrent coverage matrices:
#   bash bench/rss.sh BIN DATABASE_URL [NAME=VALUE ...]
#
# Starts BIN (`samverkan serve`) on DATABASE_URL (migrated, seeded and generated, e.g. the
# national data: `samverkan generate --municipalities 290 --seed 1`) with the extra
# environment NAME=VALUE (e.g. MIMALLOC_PURGE_DELAY=0 or SAMVERKAN_PLAIN_LISTS=false),
# asks once for `coverage GROUP_KIND, all districts` (bench/operations.graphql), then runs
# it with oha at concurrency 4 for 10 s, and prints the response size, the throughput and
# the server's peak RSS (VmHWM). Only 127.0.0.1 is sent requests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1 URL=$2
shift 2
command -v oha >/dev/null || { echo "needs oha (cargo install oha)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export SAMVERKAN_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123" SAMVERKAN_RATE_LIMIT_PER_MINUTE=0
env "$@" DATABASE_URL="$URL" SAMVERKAN_ADDR=127.0.0.1:0 "$BIN" serve >"$WORK/server.log" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 150); do
    PORT="$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/server.log" | head -1 | cut -d: -f2 || true)"
    [ -n "$PORT" ] && break
    sleep 0.2
done
[ -n "$PORT" ] || { cat "$WORK/server.log" >&2; exit 1; }
TOKEN="$(DATABASE_URL="$URL" "$BIN" token --sub bench --org socialforvaltningen --role ADMIN --ttl 1h)"
python3 bench/lib.py body CoverageByGroupKind '{}' >"$WORK/body.json"
curl -s -o "$WORK/out.json" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    --data @"$WORK/body.json" "http://127.0.0.1:$PORT/graphql"
echo "response: $(wc -c <"$WORK/out.json") bytes"
oha -z 10s -c 4 --no-tui -m POST -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -D "$WORK/body.json" "http://127.0.0.1:$PORT/graphql" | grep -E "Requests/sec"
grep -E "VmHWM" "/proc/$PID/status"
