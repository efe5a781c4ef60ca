#!/usr/bin/env bash
# The import benchmark (issue 15): bash bench/import.sh
#
# Writes a national-size action plan (bench/import_plan.py: one plan of Bromma with
# IMPORT_ROWS activities, XLSX and CSV, every name the catalogue's; openpyxl in a venv in
# the temp dir) and, for each database (an SQLite file in the temp dir; a fresh PostgreSQL
# database importbench_* on 127.0.0.1:5432, user postgres, when one is reachable) and each
# of IMPORT_RUNS runs, on a fresh database (`samverkan migrate`, `samverkan seed`):
#   CLI   `samverkan import action-plan --district bromma FILE`: dry run of the CSV and of
#         the XLSX, commit, the same file again (changes nothing), a file with
#         IMPORT_CHANGED rows edited — wall time and peak RSS by /usr/bin/time -v;
#   HTTP  (again a fresh database) the server, a coordinator of Bromma uploading the XLSX
#         to importActionPlan (GraphQL multipart request, curl): dryRun true, then false,
#         the same file again, the changed file — wall time (curl), the server's peak RSS
#         (VmHWM, reset before each upload through /proc/PID/clear_refs) and SQL
#         statements (`samverkan_sql_statements_total` of /metrics) per upload.
# Every answer is checked (rows created/updated/unchanged, no problem). Prints a TSV of
# every measurement and a Markdown table (time range over the runs, highest peak RSS).
#
# Environment:
#   BENCH_BIN           the binary (default: $CARGO_TARGET_DIR/release/samverkan, built
#                       with `cargo build --release --locked` when missing)
#   IMPORT_ROWS         rows of the plan (default 10000)
#   IMPORT_CHANGED      rows edited in the changed file (default 1000)
#   IMPORT_RUNS         runs per database (default 3)
#   BENCH_DATABASES     "sqlite postgres" (default), or one of them
#   BENCH_PG_ADMIN_URL  default postgres://postgres@127.0.0.1:5432/postgres
#   IMPORT_KEEP         a directory to copy the temp dir to: plan files, results.tsv, logs
#                       (default: none)
#
# Only 127.0.0.1 is ever sent requests.

set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$PWD"
for arg in "$@"; do
    case "$arg" in
        -h | --help) sed -n '2,32p' "$0"; exit 0 ;;
        *) echo "unknown argument $arg" >&2; exit 2 ;;
    esac
done
ROWS="${IMPORT_ROWS:-10000}"
CHANGED="${IMPORT_CHANGED:-1000}"
RUNS="${IMPORT_RUNS:-3}"
DATABASES="${BENCH_DATABASES:-sqlite postgres}"
PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${BENCH_BIN:-$TARGET_DIR/release/samverkan}"

WORK="$(mktemp -d -t samverkan-importbench.XXXXXX)"
RESULTS="$WORK/results.tsv"
SERVER_PID=""
PG_DB=""
export SAMVERKAN_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"
export SAMVERKAN_RATE_LIMIT_PER_MINUTE=0
export RUST_LOG="${RUST_LOG:-warn}"

log() { echo "[import] $*" >&2; }
die() { log "$*"; exit 1; }

# stop_server, drop_pg
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

cleanup() {
    stop_server
    drop_pg
    if [ -n "${IMPORT_KEEP:-}" ]; then
        mkdir -p "$IMPORT_KEEP" && cp -r "$WORK"/. "$IMPORT_KEEP"/ || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- the binary and the files ----------------------------------------------------------
if [ ! -x "$BIN" ]; then
    log "building the release binary"
    cargo build --release --locked
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"

log "writing the plan files ($ROWS rows, $CHANGED changed)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check openpyxl
"$WORK/venv/bin/python" "$ROOT/bench/import_plan.py" "$WORK/files" --rows "$ROWS" --changed "$CHANGED" >&2
PLAN_XLSX="$WORK/files/plan.xlsx"
PLAN_CSV="$WORK/files/plan.csv"
CHANGED_XLSX="$WORK/files/plan-changed.xlsx"

echo -e "db\trun\tvia\toperation\tseconds\tpeak_rss_mb\trss_before_mb\tsql_statements\tcreated\tupdated\tunchanged\tproblems" >"$RESULTS"

record() { # DB RUN VIA OPERATION SECONDS PEAK BEFORE SQL CREATED UPDATED UNCHANGED PROBLEMS
    local IFS=$'\t'
    echo "$*" >>"$RESULTS"
    log "$1 run $2 $3 $4: $5 s, peak RSS $6 MB (before $7), SQL $8; created $9 updated ${10} unchanged ${11} problems ${12}"
}

# expect WHAT CREATED UPDATED UNCHANGED PROBLEMS want_created want_updated want_unchanged
expect() {
    [ "$2" = "$6" ] && [ "$3" = "$7" ] && [ "$4" = "$8" ] && [ "$5" = 0 ] ||
        die "$1: created $2 updated $3 unchanged $4 problems $5; expected $6/$7/$8 and no problem"
}

fresh_db() { # DB RUN → URL (migrated and seeded)
    local db="$1" run="$2"
    if [ "$db" = sqlite ]; then
        rm -f "$WORK/import-$run.db"*
        URL="sqlite://$WORK/import-$run.db?mode=rwc"
    else
        drop_pg
        PG_DB="importbench_$$_$run"
        psql "$PG_ADMIN_URL" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
        URL="${PG_ADMIN_URL%/*}/$PG_DB"
    fi
    DATABASE_URL="$URL" "$BIN" migrate >/dev/null 2>&1 || die "migrate failed"
    DATABASE_URL="$URL" "$BIN" seed >/dev/null 2>&1 || die "seed failed"
}

# --- the command line -----------------------------------------------------------------
cli() { # DB RUN URL OPERATION FILE DRY(0/1) CREATED UPDATED UNCHANGED
    local db="$1" run="$2" url="$3" op="$4" file="$5" dry="$6"
    local out="$WORK/cli.out" tv="$WORK/cli.time" args=() t0 t1
    [ "$dry" = 1 ] && args=(--dry-run)
    t0=$(date +%s%N)
    DATABASE_URL="$url" /usr/bin/time -v -o "$tv" "$BIN" import action-plan --district bromma \
        "$file" --as importbench "${args[@]}" >"$out" 2>&1 || { cat "$out" >&2; die "$op failed"; }
    t1=$(date +%s%N)
    local secs peak counts problems
    secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
    peak="$(awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tv")"
    counts="$(sed -n 's/^[^:]*: \([0-9]*\) created, \([0-9]*\) updated, \([0-9]*\) unchanged$/\1 \2 \3/p' "$out" | head -n 1)"
    problems="$(grep -cE '^(ERROR|note ) ' "$out" || true)"
    read -r c u n <<<"$counts"
    record "$db" "$run" CLI "$op" "$secs" "$peak" "" "" "$c" "$u" "$n" "$problems"
    expect "$db CLI $op" "$c" "$u" "$n" "$problems" "$7" "$8" "$9"
}

# --- the server -----------------------------------------------------------------------
start_server() { # URL
    local url="$1" logf="$WORK/server.log"
    : >"$logf"
    DATABASE_URL="$url" SAMVERKAN_ADDR=127.0.0.1:0 SAMVERKAN_SEED_ON_START=false "$BIN" serve >"$logf" 2>&1 &
    SERVER_PID=$!
    PORT=""
    for _ in $(seq 1 600); do
        PORT="$(sed -n 's|.*Samverkan is up: [A-Za-z]* at http://127.0.0.1:\([0-9]*\)/graphql.*|\1|p' "$logf" | head -n 1)"
        [ -n "$PORT" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$logf" >&2; die "the server died"; }
        sleep 0.1
    done
    [ -n "$PORT" ] || { cat "$logf" >&2; die "the server did not come up"; }
    API="http://127.0.0.1:$PORT/graphql"
    TOKEN="$(DATABASE_URL="$url" "$BIN" token --sub samordnare.bromma --org bromma-sdf \
        --role DISTRICT_COORDINATOR --district bromma --ttl 1d)"
    BROMMA="$(curl -sf "$API" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d '{"query":"{ district(slug: \"bromma\") { id } }"}' |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["data"]["district"]["id"])')"
}

kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
sql_count() {
    curl -sf "http://127.0.0.1:$PORT/metrics" |
        awk '/^samverkan_sql_statements_total/ { s += $2 } END { printf "%d", s }'
}

QUERY='mutation ImportActionPlan($file: Upload!, $district: ID!, $dryRun: Boolean!) { importActionPlan(input: { file: $file, district: $district, dryRun: $dryRun }) { actionPlan { id title } created updated unchanged problems { row column code message } userErrors { field message code } } }'

http() { # DB RUN OPERATION FILE DRY(true/false) CREATED UPDATED UNCHANGED
    local db="$1" run="$2" op="$3" file="$4" dry="$5"
    local out="$WORK/http.json" before sql0 sql1 t0 t1
    sql0="$(sql_count)"
    before="$(kb VmRSS)"
    echo 5 >"/proc/$SERVER_PID/clear_refs" # VmHWM := VmRSS
    t0=$(date +%s%N)
    curl -sf "$API" -H "Authorization: Bearer $TOKEN" -H 'GraphQL-Preflight: 1' \
        -F operations="{\"query\": \"$QUERY\", \"variables\": {\"file\": null, \"district\": \"$BROMMA\", \"dryRun\": $dry}}" \
        -F map='{"0": ["variables.file"]}' -F 0=@"$file" >"$out" || die "$op: the upload failed"
    t1=$(date +%s%N)
    local peak secs counts
    peak="$(kb VmHWM)"
    sql1="$(sql_count)"
    secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
    counts="$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if d.get("errors") or not d.get("data"):
    sys.exit("errors: %s" % json.dumps(d)[:2000])
r = d["data"]["importActionPlan"]
if r["userErrors"]:
    sys.exit("userErrors: %s" % r["userErrors"])
print(r["created"], r["updated"], r["unchanged"], len(r["problems"]))
' "$out")" || die "$op: $counts"
    read -r c u n p <<<"$counts"
    record "$db" "$run" HTTP "$op" "$secs" "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$(awk -v k="$before" 'BEGIN { printf "%.1f", k / 1024 }')" "$((sql1 - sql0))" "$c" "$u" "$n" "$p"
    expect "$db HTTP $op" "$c" "$u" "$n" "$p" "$6" "$7" "$8"
}

# --- the runs -------------------------------------------------------------------------
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
for db in $DATABASES; do
    if [ "$db" = postgres ] && ! psql "$PG_ADMIN_URL" -qc 'SELECT 1' >/dev/null 2>&1; then
        log "PostgreSQL is not reachable at $PG_ADMIN_URL: skipped"
        continue
    fi
    for run in $(seq 1 "$RUNS"); do
        log "$db run $run: command line"
        fresh_db "$db" "cli-$run"; url="$URL"
        cli "$db" "$run" "$url" "dry run (CSV)" "$PLAN_CSV" 1 "$ROWS" 0 0
        cli "$db" "$run" "$url" "dry run" "$PLAN_XLSX" 1 "$ROWS" 0 0
        cli "$db" "$run" "$url" "commit" "$PLAN_XLSX" 0 "$ROWS" 0 0
        cli "$db" "$run" "$url" "the same file again" "$PLAN_XLSX" 0 0 0 "$ROWS"
        cli "$db" "$run" "$url" "$CHANGED rows changed" "$CHANGED_XLSX" 0 0 "$CHANGED" "$((ROWS - CHANGED))"

        log "$db run $run: over HTTP"
        fresh_db "$db" "http-$run"; url="$URL"
        start_server "$url"
        record "$db" "$run" HTTP "server started" "" "$(awk -v k="$(kb VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }')" "" "" "" "" "" ""
        http "$db" "$run" "dry run" "$PLAN_XLSX" true "$ROWS" 0 0
        http "$db" "$run" "commit" "$PLAN_XLSX" false "$ROWS" 0 0
        http "$db" "$run" "the same file again" "$PLAN_XLSX" false 0 0 "$ROWS"
        http "$db" "$run" "$CHANGED rows changed" "$CHANGED_XLSX" false 0 "$CHANGED" "$((ROWS - CHANGED))"
        stop_server
        [ "$db" = sqlite ] && rm -f "$WORK"/import-*.db*
    done
    drop_pg
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the table ------------------------------------------------------------------------
echo
echo "Files: $(stat -c %s "$PLAN_XLSX") bytes XLSX, $(stat -c %s "$PLAN_CSV") bytes CSV ($ROWS rows);"
echo "load average at the start $LOAD_START, at the end $LOAD_END; $(nproc) cores."
echo
cat "$RESULTS"
echo
python3 - "$RESULTS" <<'EOF'
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = collections.OrderedDict()
for r in rows:
    groups.setdefault((r["via"], r["operation"], r["db"]), []).append(r)
print("| via | operation | database | time (s) | peak RSS (MB) | SQL statements |")
print("|---|---|---|---|---|---|")
for (via, op, db), rs in groups.items():
    secs = [float(r["seconds"]) for r in rs if r["seconds"]]
    peak = [float(r["peak_rss_mb"]) for r in rs if r["peak_rss_mb"]]
    sql = sorted({r["sql_statements"] for r in rs if r["sql_statements"]})
    t = f"{min(secs):.2f}–{max(secs):.2f}" if secs else ""
    print(f"| {via} | {op} | {db} | {t} | {max(peak):.1f} | {', '.join(sql)} |")
EOF
