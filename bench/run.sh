#!/usr/bin/env bash
# The benchmark: bash bench/run.sh [--quick]
#
# Builds the release binary, installs the load generator `oha` if missing, and for each
# database (an SQLite file in a temp dir; a fresh PostgreSQL database on 127.0.0.1:5432,
# user postgres, when one is reachable) starts the server, runs the scenarios on the
# Stockholm demo data, generates the synthetic nation (`samverkan generate`), restarts the
# server and runs them again. Writes docs/benchmarks.md (override: BENCH_OUT).
#
# Environment:
#   BENCH_MUNICIPALITIES  N for `samverkan generate` (default 290; --quick: 10)
#   BENCH_SECONDS         seconds per scenario (default 10; --quick: 3)
#   BENCH_CONCURRENCY     concurrent connections of the load scenarios (default 16)
#   BENCH_DATABASES       "sqlite postgres" (default), or one of them
#   BENCH_PG_ADMIN_URL    default postgres://postgres@127.0.0.1:5432/postgres
#   BENCH_PG_OPTIONS      connection options of the benchmark database's URL, for both
#                         servers (default sslmode=disable: no TLS on loopback)
#   BENCH_OUT             default docs/benchmarks.md
#   BENCH_BIN             a prebuilt release binary to measure (no `cargo build`), e.g.
#                         /work/target-rel/release/samverkan
#   BENCH_PG_DB           an existing PostgreSQL database that is already migrated, seeded
#                         and generated (`samverkan migrate`, `seed`, `generate`): only its
#                         national phase and the peer run, and it is kept (for development)
#   BENCH_LOADGEN         python: bench/lib.py's load generator, also when oha is missing
#                         (no `cargo install oha`)
#   BENCH_PEER            1 (default): on PostgreSQL, also measure the service beside
#                         PostGraphile 4.14 (bench/peer.py; needs node and npm); 0: not
#   BENCH_PEER_SECONDS    seconds per side and round of the peer comparison (default 5; --quick: 2)
#   BENCH_PEER_ROUNDS     interleaved rounds of the peer comparison (default 4; --quick: 2)
#
# Only 127.0.0.1 is ever sent requests; every load is bounded in time.

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "unknown argument $arg" >&2; exit 2 ;;
    esac
done
if [ "$QUICK" = 1 ]; then
    N="${BENCH_MUNICIPALITIES:-10}"
    SECONDS_PER="${BENCH_SECONDS:-3}"
    PEER_SECONDS="${BENCH_PEER_SECONDS:-2}"
    PEER_ROUNDS="${BENCH_PEER_ROUNDS:-2}"
else
    N="${BENCH_MUNICIPALITIES:-290}"
    SECONDS_PER="${BENCH_SECONDS:-10}"
    PEER_SECONDS="${BENCH_PEER_SECONDS:-5}"
    PEER_ROUNDS="${BENCH_PEER_ROUNDS:-4}"
fi
PEER="${BENCH_PEER:-1}"
REUSE_DB="${BENCH_PG_DB:-}"
CONC="${BENCH_CONCURRENCY:-16}"
DATABASES="${BENCH_DATABASES:-sqlite postgres}"
PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# Both servers connect without TLS on loopback: sqlx prefers TLS when the server offers it
# (the machine's PostgreSQL has ssl = on), node-postgres does not ask for it.
PG_OPTIONS="${BENCH_PG_OPTIONS:-sslmode=disable}"
OUT="${BENCH_OUT:-docs/benchmarks.md}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${BENCH_BIN:-$TARGET_DIR/release/samverkan}"
LIB="python3 $ROOT/bench/lib.py"

WORK="$(mktemp -d -t samverkan-bench.XXXXXX)"
RESULTS="$WORK/results.tsv"
NOTES="$WORK/notes.md"
PEER_MD="$WORK/peer.md"
: >"$PEER_MD"
SERVER_PID=""
PG_DB=""
METRICS_MISSING=0
export SAMVERKAN_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
# The load comes from one token: lift the per-token rate limit (and the complexity limit
# stays as shipped).
export SAMVERKAN_RATE_LIMIT_PER_MINUTE=0
export RUST_LOG="${RUST_LOG:-warn}"

log() { echo "[bench] $*" >&2; }

# stop_server, drop_pg
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

cleanup() {
    stop_server
    drop_pg
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- build and tools ---------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
    log "measuring the prebuilt $BIN"
    [ -x "$BIN" ] || { log "$BIN is not an executable"; exit 2; }
else
    log "building the release binary"
    cargo build --release --locked
fi

LOADGEN=oha
if [ "${BENCH_LOADGEN:-}" = python ]; then
    LOADGEN=python
elif ! command -v oha >/dev/null 2>&1; then
    log "installing oha (cargo install oha --locked)"
    if ! cargo install oha --locked; then
        log "oha could not be installed: falling back to bench/lib.py's Python load generator"
        LOADGEN=python
    fi
fi
if [ "$LOADGEN" = oha ]; then
    OHA_HELP="$(oha --help)"
    OHA_JSON=(--output-format json)
    grep -q -- '--output-format' <<<"$OHA_HELP" || OHA_JSON=(-j)
    OHA_WAIT=()
    grep -q -- '--wait-ongoing-requests-after-deadline' <<<"$OHA_HELP" && OHA_WAIT=(-w)
    OHA_TUI=()
    grep -q -- '--no-tui' <<<"$OHA_HELP" && OHA_TUI=(--no-tui)
    LOADGEN_NAME="$(oha --version | head -n 1)"
else
    LOADGEN_NAME="bench/lib.py (Python threads, keep-alive)"
fi

# --- the server ------------------------------------------------------------------------
start_server() { # DATABASE_URL
    local url="$1" logf="$WORK/server.log"
    : >"$logf"
    DATABASE_URL="$url" SAMVERKAN_ADDR=127.0.0.1:0 "$BIN" serve >"$logf" 2>&1 &
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 1 600); do
        PORT="$(sed -n 's|.*Samverkan is up: [A-Za-z]* at http://127.0.0.1:\([0-9]*\)/graphql.*|\1|p' "$logf" | head -n 1)"
        [ -n "$PORT" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logf" >&2; log "the server died"; exit 1; }
        sleep 0.1
    done
    [ -n "$PORT" ] || { cat "$logf" >&2; log "the server did not come up"; exit 1; }
    API="http://127.0.0.1:$PORT/graphql"
    TOKEN="$(DATABASE_URL="$url" "$BIN" token --sub bench --org socialforvaltningen --role ADMIN --ttl 1d)"
    log "server $SERVER_PID on port $PORT"
}

rss_mb() { # peak RSS (VmHWM) of the server, MB
    awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

gql() { # BODY_FILE → response on stdout
    curl -sf "$API" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary @"$1"
}

sql_count() { # samverkan_sql_statements_total now, or "" when /metrics is not there
    local f="$WORK/metrics.txt" code
    code="$(curl -s -o "$f" -w '%{http_code}' "http://127.0.0.1:$PORT/metrics" || true)"
    if [ "$code" = 200 ]; then $LIB metric "$f" samverkan_sql_statements_total; fi
}

echo -e "db\tphase\tscenario\tconcurrency\trequests\trps\tp50\tp95\tp99\terrors\tsql\trss" >"$RESULTS"

# run_scenario DB PHASE NAME CONCURRENCY BODY_FILE [driver]
run_scenario() {
    local db="$1" phase="$2" name="$3" conc="$4" bodyf="$5" driver="${6:-load}"
    local out="$WORK/out.json" before after sql="n/a"
    before="$(sql_count)"
    if [ "$driver" = update-driver ]; then
        $LIB update-driver "$API" "$TOKEN" "$(cat "$bodyf")" "$SECONDS_PER" >"$out"
    elif [ "$LOADGEN" = oha ]; then
        oha "${OHA_TUI[@]}" "${OHA_JSON[@]}" "${OHA_WAIT[@]}" -z "${SECONDS_PER}s" -c "$conc" \
            -m POST -H "Authorization: Bearer $TOKEN" -T application/json -D "$bodyf" "$API" >"$out"
    else
        $LIB load "$API" "$bodyf" "$TOKEN" "$SECONDS_PER" "$conc" >"$out"
    fi
    after="$(sql_count)"
    [ -n "$before" ] || METRICS_MISSING=1
    read -r requests rps p50 p95 p99 errors < <($LIB summarize "$out")
    if [ -n "$before" ] && [ -n "$after" ] && [ "$requests" -gt 0 ]; then
        sql="$(awk -v a="$after" -v b="$before" -v n="$requests" 'BEGIN { printf "%.1f", (a - b) / n }')"
    fi
    echo -e "$db\t$phase\t$name\t$conc\t$requests\t$rps\t$p50\t$p95\t$p99\t$errors\t$sql\t$(rss_mb)" >>"$RESULTS"
    log "$db/$phase $name c=$conc: $requests requests, $rps/s, p50 $p50 ms, p99 $p99 ms, errors $errors, SQL/request $sql"
}

# raw_sql DB URL SLUG: time of bench/dashboard.sql run directly (ms per run), the fastest
# plain way each database offers: SQLite's own shell (which prepares each statement, as
# the server's first request does), and on PostgreSQL pgbench with prepared statements
# over one connection (planned once, as the server's statement cache does; psql, which
# plans every statement again and formats its output, is the fallback and is slower).
raw_sql() {
    local db="$1" url="$2" slug="$3" reps=50 one="$WORK/raw-one.sql" f="$WORK/raw.sql" t0 t1
    sed "s/__SLUG__/$slug/g" "$ROOT/bench/dashboard.sql" >"$one"
    if [ "$db" = postgres ] && command -v pgbench >/dev/null 2>&1; then
        pgbench -n -M prepared -f "$one" -t "$reps" -c 1 "$url" >/dev/null 2>&1 # warm the cache
        local out
        out="$(pgbench -n -M prepared -f "$one" -t "$reps" -c 1 "$url" 2>&1)"
        RAW_HOW="pgbench -M prepared, mean of $reps runs"
        sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -n 1
        return
    fi
    : >"$f"
    for _ in $(seq 1 "$reps"); do cat "$one" >>"$f"; done
    if [ "$db" = sqlite ]; then
        local path="${url#sqlite://}"; path="${path%%\?*}"
        sqlite3 "$path" <"$f" >/dev/null # warm the cache
        t0=$(date +%s%N); sqlite3 "$path" <"$f" >/dev/null; t1=$(date +%s%N)
        RAW_HOW="sqlite3 shell, mean of $reps runs"
    else
        psql -X -q "$url" -f "$f" >/dev/null
        t0=$(date +%s%N); psql -X -q "$url" -f "$f" >/dev/null; t1=$(date +%s%N)
        RAW_HOW="psql, mean of $reps runs"
    fi
    awk -v a="$t0" -v b="$t1" -v n="$reps" 'BEGIN { printf "%.2f", (b - a) / 1e6 / n }'
}

# phase DB URL PHASE DASHBOARD_SLUG
phase() {
    local db="$1" url="$2" ph="$3" slug="$4"
    start_server "$url"
    $LIB body BenchSetup "{\"slug\":\"$slug\"}" >"$WORK/setup.json"
    local setup district commitment
    setup="$(gql "$WORK/setup.json")"
    district="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["district"]["id"])' <<<"$setup")"
    commitment="$(python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]["district"]; print(d["collaborationGroups"]["nodes"][0]["commitments"]["nodes"][0]["id"])' <<<"$setup")"

    $LIB body DistrictDashboard "{\"slug\":\"$slug\"}" >"$WORK/dashboard.json"
    $LIB body CommitmentsOfDistrict "{\"district\":\"$district\"}" >"$WORK/commitments.json"
    $LIB body CoverageByGroupKind '{}' >"$WORK/coverage.json"
    $LIB body CoverageByOrganizationKind '{}' >"$WORK/coverage-org.json"
    # A stale edit: one real edit first, then every request names the version it replaced.
    local v
    v="$(python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]["district"]; print(d["collaborationGroups"]["nodes"][0]["commitments"]["nodes"][0]["version"])' <<<"$setup")"
    $LIB body UpdateCommitment "{\"id\":\"$commitment\",\"expectedVersion\":$v,\"text\":\"Delge lägesbild varje månad.\"}" >"$WORK/edit.json"
    gql "$WORK/edit.json" >/dev/null
    echo "$commitment" >"$WORK/commitment-id"

    run_scenario "$db" "$ph" "dashboard ($slug)" 1 "$WORK/dashboard.json"
    run_scenario "$db" "$ph" "dashboard ($slug)" "$CONC" "$WORK/dashboard.json"
    run_scenario "$db" "$ph" "commitments(first: 50, district)" "$CONC" "$WORK/commitments.json"
    run_scenario "$db" "$ph" "coverage GROUP_KIND, all districts" 4 "$WORK/coverage.json"
    run_scenario "$db" "$ph" "coverage ORGANIZATION_KIND × COMMITMENTS" 4 "$WORK/coverage-org.json"
    run_scenario "$db" "$ph" "updateCommitment, stale version (CONFLICT)" "$CONC" "$WORK/edit.json"
    run_scenario "$db" "$ph" "updateCommitment, real edits one after another" 1 "$WORK/commitment-id" update-driver
    local raw
    RAW_HOW=""
    raw_sql "$db" "$url" "$slug" >"$WORK/raw-ms"
    raw="$(cat "$WORK/raw-ms")"
    local statements
    statements="$(grep -c '^SELECT' "$ROOT/bench/dashboard.sql")"
    echo -e "$db\t$ph\traw SQL of the dashboard ($slug), bench/dashboard.sql ($RAW_HOW)\t1\t50\t\t$raw\t\t\t\t$statements\t" >>"$RESULTS"
    log "$db/$ph raw dashboard SQL ($RAW_HOW): $raw ms"
    stop_server
}

# peer_phase URL DATA_SET: the service beside PostGraphile 4.14 on this PostgreSQL database
# (bench/peer.py), with the raw SQL of the largest district's dashboard as its yardstick
# (measured by peer.py in the same rounds; the mean measured here is its fallback).
PEER_READY=""
peer_phase() {
    local url="$1" label="$2" large median raw
    [ "$PEER" = 1 ] || return 0
    if [ -z "$PEER_READY" ]; then
        if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
            log "node/npm missing: the PostGraphile peer is not measured"
            echo "- The PostGraphile peer was not measured: node and npm are not installed." >>"$NOTES"
            PEER=0
            return 0
        fi
        log "installing PostGraphile (npm ci --prefix bench/peer)"
        npm ci --prefix "$ROOT/bench/peer" --no-audit --no-fund >&2
        PEER_READY=1
    fi
    read -r large median < <(python3 "$ROOT/bench/peer.py" pick "$url")
    RAW_HOW=""
    raw_sql postgres "$url" "$large" >"$WORK/raw-ms"
    raw="$(cat "$WORK/raw-ms")"
    log "peer comparison on $label: districts $large (largest) and $median (median); raw SQL $raw ms"
    python3 "$ROOT/bench/peer.py" run --bin "$BIN" --database-url "$url" --seconds "$PEER_SECONDS" \
        --rounds "$PEER_ROUNDS" --raw-sql "$ROOT/bench/dashboard.sql" --raw-ms "$raw" \
        --raw-how "$RAW_HOW" --data-set "$label" \
        --out "$WORK/peer-one.md" >/dev/null
    { cat "$WORK/peer-one.md"; echo; } >>"$PEER_MD"
}

bench_db() { # DB URL
    local db="$1" url="$2" t0 t1
    DATABASE_URL="$url" "$BIN" migrate
    DATABASE_URL="$url" "$BIN" seed
    phase "$db" "$url" "Stockholm (13 districts)" skarpnack
    [ "$db" = postgres ] && peer_phase "$url" "Stockholm (13 districts)"
    log "$db: generating $N municipalities"
    t0=$(date +%s)
    DATABASE_URL="$url" "$BIN" generate --municipalities "$N" --seed 1 2>&1 | tee "$WORK/generate-$db.log" >&2
    t1=$(date +%s)
    local districts
    districts="$(grep -E '^\s+district ' "$WORK/generate-$db.log" | awk '{ print $2 }')"
    local followups
    followups="$(grep -E '^\s+follow_up ' "$WORK/generate-$db.log" | awk '{ print $2 }')"
    {
        echo "- $db: \`samverkan generate --municipalities $N --seed 1\` took $((t1 - t0)) s:"
        echo '  ```'
        grep -v '^\s*$' "$WORK/generate-$db.log" | grep -v 'municipalities, ' | sed 's/^/  /' || true
        echo '  ```'
    } >>"$NOTES"
    phase "$db" "$url" "national (N=$N: $((districts + 13)) districts, $((followups + 22)) follow-ups)" gen-0001-01
    [ "$db" = postgres ] && peer_phase "$url" "national (N=$N)"
    return 0
}

reuse_db() { # URL of a database that is migrated, seeded and generated already
    local url="$1" districts followups
    districts="$(psql -X -qAt "$url" -c 'SELECT count(*) FROM district')"
    followups="$(psql -X -qAt "$url" -c 'SELECT count(*) FROM follow_up')"
    echo "- postgres: the existing database \`$REUSE_DB\` (BENCH_PG_DB), measured as it was." >>"$NOTES"
    phase postgres "$url" "national ($districts districts, $followups follow-ups)" gen-0001-01
    peer_phase "$url" "national ($districts districts)"
}

for db in $DATABASES; do
    case "$db" in
        sqlite)
            bench_db sqlite "sqlite://$WORK/bench.db?mode=rwc"
            ;;
        postgres)
            if ! psql "$PG_ADMIN_URL" -qc 'SELECT 1' >/dev/null 2>&1; then
                log "PostgreSQL at $PG_ADMIN_URL is not reachable: skipped"
                echo "- PostgreSQL was not reachable: not measured." >>"$NOTES"
                continue
            fi
            if [ -n "$REUSE_DB" ]; then
                reuse_db "${PG_ADMIN_URL%/*}/$REUSE_DB?$PG_OPTIONS"
                continue
            fi
            PG_DB="samverkan_bench_$$"
            psql "$PG_ADMIN_URL" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
            bench_db postgres "${PG_ADMIN_URL%/*}/$PG_DB?$PG_OPTIONS"
            drop_pg
            ;;
        *) log "unknown database $db"; exit 2 ;;
    esac
done

# --- the report ----------------------------------------------------------------------------
MACHINE="$WORK/machine.md"
{
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores available"
    echo "- memory: $(free -h | awk '/^Mem:/ { print $2 }') ($(free -h | awk '/^Mem:/ { print $7 }') available at the start)"
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "- PostgreSQL: $(psql -V 2>/dev/null | head -n 1 || echo none); SQLite: $(sqlite3 --version | cut -d' ' -f1)"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)')"
    echo "- load generator: $LOADGEN_NAME; $SECONDS_PER s per scenario$([ "$QUICK" = 1 ] && echo ' (--quick)')"
    echo "- the machine is shared: other work ran beside the benchmark (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
} >"$MACHINE"
{
    echo "## Notes"
    echo
    echo "- Latencies in milliseconds. \`SQL/request\` is the growth of \`samverkan_sql_statements_total\` (\`GET /metrics\`) over the scenario divided by the responses; \"n/a\" when the server has no \`/metrics\`. For the raw-SQL row it is the number of statements in \`bench/dashboard.sql\`, and p50 is the time of one run of the file: the mean of 50 runs in one \`sqlite3\` session on SQLite, and of 50 runs of \`pgbench -M prepared\` over one connection on PostgreSQL (statements planned once, as the server's statement cache does; with \`psql\`, which plans each statement again and formats every row, the same file takes several times longer)."
    echo "- \`updateCommitment, stale version\`: oha sends one fixed body, so every request names a version that has been replaced: the server reads the commitment, checks the version and answers a \`CONFLICT\` user error without writing. \`real edits one after another\` is bench/lib.py's driver: each edit names the version the previous one returned, so every request writes the commitment and its audit event."
    echo "- Peak RSS is the server's VmHWM at the end of the scenario (the server is restarted for each data set)."
    if [ "$METRICS_MISSING" = 1 ]; then
        echo "- SQL/request is n/a where the server answered \`GET /metrics\` with 404: the counter arrives with the metrics endpoint (built in parallel). Meanwhile the test \`statements::deep_dashboard_costs_at_most_depth_plus_one_statements\` counts 9 statements for the dashboard of all 13 districts (depth 8) through the pool's statement counter."
    fi
    cat "$NOTES"
} >"$WORK/notes-all.md"
mkdir -p "$(dirname "$OUT")"
BENCH_PEER_FILE="$PEER_MD" BENCH_NOTES_FILE="$WORK/notes-all.md" $LIB report "$RESULTS" "$MACHINE" "$OUT"
cp "$RESULTS" "${OUT%.md}.tsv"
log "wrote $OUT"
