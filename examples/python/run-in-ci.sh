#!/usr/bin/env bash
# CI for examples/python/coverage_to_csv.py: start the real server on a fresh SQLite
# database and a free port, mint a VIEWER service token, run the script and check the
# CSV files it writes against the demo data. Ends with `examples: N passed, N failed`
# and exits non-zero on any failure.
#
# Uses the debug binary (target/debug/samverkan, built by `cargo test`; built here only
# when missing) and a venv in target/examples-venv, reused between runs.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
bin="$target/debug/samverkan"
venv="$target/examples-venv"
py="$venv/bin/python"

# --- Python environment -----------------------------------------------------------
if ! "$py" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
"$py" -m pip install --quiet --disable-pip-version-check -r examples/python/requirements.txt

# --- The server ---------------------------------------------------------------------
if [[ ! -x "$bin" ]]; then
    cargo build --locked
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$tmp/ci.db?mode=rwc"
SAMVERKAN_ADDR=127.0.0.1:0 "$bin" serve >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

give_up() {
    echo "examples: $1" >&2
    echo "--- server stderr" >&2
    tail -n 30 "$tmp/server.err" >&2 || true
    echo "examples: 0 passed, 1 failed"
    exit 1
}

# Wait (at most 60 s) for "Samverkan is up: GraphiQL at http://127.0.0.1:PORT/graphql"
# ("GraphQL at" when GraphiQL is off; inside a JSON object when logs are JSON),
# then for /healthz to answer.
port=""
deadline=$((SECONDS + 60))
while [[ -z "$port" ]]; do
    kill -0 "$server_pid" 2>/dev/null || give_up "the server exited before it was up"
    ((SECONDS < deadline)) || give_up "the server was not up within 60 s"
    port="$(sed -n 's|.*Samverkan is up: [A-Za-z]* at http://127\.0\.0\.1:\([0-9]*\)/graphql.*|\1|p' \
        "$tmp/server.err" | head -n 1)"
    [[ -n "$port" ]] || sleep 0.1
done
until curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || give_up "/healthz did not answer within 60 s"
    sleep 0.1
done
echo "server up on port $port"

token="$("$bin" token --sub coverage-script --org socialforvaltningen --role VIEWER --ttl 1d)"
export SAMVERKAN_URL="http://127.0.0.1:$port/graphql"

# --- Checks -------------------------------------------------------------------------
passed=0
failed=0
check() { # check WHAT EXPECTED ACTUAL
    if [[ "$2" == "$3" ]]; then
        passed=$((passed + 1))
        echo "ok   $1"
    else
        failed=$((failed + 1))
        echo "FAIL $1: expected '$2', got '$3'"
    fi
}

# csv_get FILE DISTRICT COLUMN: the cell of the row whose `district` is DISTRICT
# ("" when the file, the row or the column is missing). `csv_get FILE '#rows' ''`
# prints the number of lines, header included.
csv_get() {
    "$py" - "$@" <<'EOF'
import csv, sys
path, district, column = sys.argv[1:4]
try:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
except OSError:
    sys.exit(0)
if district == "#rows":
    print(len(rows), end="")
elif rows:
    header = rows[0]
    for row in rows[1:]:
        if row and row[0] == district and column in header:
            print(row[header.index(column)], end="")
            break
EOF
}

out="$tmp/out"
status=0
SAMVERKAN_TOKEN="$token" "$py" examples/python/coverage_to_csv.py \
    --out "$out" --year 2021 --term T2 || status=$?
check "coverage_to_csv.py --year 2021 --term T2 exits 0" 0 "$status"

coverage="$out/coverage-group-kind.csv"
check "coverage: header, 13 districts and a totals row" 15 "$(csv_get "$coverage" '#rows' '')"
# Skarpnäck's two SSPF-kind groups: the 2022 plan's SSPF and the 2020 plan's SSP.
check "coverage: Skarpnäck has two SSPF groups" 2 "$(csv_get "$coverage" 'Skarpnäck' SSPF)"
check "coverage: the totals row counts two SSPF groups" 2 "$(csv_get "$coverage" total SSPF)"

summary="$out/follow-up-summary-2021-T2.csv"
check "follow-up T2 2021: Spånga-Tensta ONGOING" 16 "$(csv_get "$summary" 'Spånga-Tensta' ONGOING)"
check "follow-up T2 2021: Spånga-Tensta DONE" 4 "$(csv_get "$summary" 'Spånga-Tensta' DONE)"
check "follow-up T2 2021: Spånga-Tensta PAUSED" 2 "$(csv_get "$summary" 'Spånga-Tensta' PAUSED)"

# Without --year/--term the script picks the latest ended period itself.
status=0
SAMVERKAN_TOKEN="$token" "$py" examples/python/coverage_to_csv.py --out "$tmp/latest" \
    >/dev/null || status=$?
latest="$(find "$tmp/latest" -name 'follow-up-summary-*.csv' 2>/dev/null | wc -l)"
check "default period: exits 0 and writes one follow-up summary" "0 1" "$status $latest"

# A bad token: exit 1 and a message that names the token.
status=0
message="$(SAMVERKAN_TOKEN=not-a-token "$py" examples/python/coverage_to_csv.py \
    --out "$tmp/refused" 2>&1)" || status=$?
grep -q "SAMVERKAN_TOKEN is missing, expired or invalid" <<<"$message" && says=yes || says=no
check "bad token: exit 1 and says the token is invalid" "1 yes" "$status $says"

echo "examples: $passed passed, $failed failed"
((failed == 0))
