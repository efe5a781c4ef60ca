#!/usr/bin/env bash
# CI for examples/python/coverage_to_csv.py, in two runs that make the same checks of the
# CSV files the script writes against the demo data:
#
#   1. a token of its own: the real server on a fresh SQLite database and a free port
#      (HS256, its own secret), a VIEWER service token minted by `samverkan token`, given
#      to the script as SAMVERKAN_TOKEN;
#   2. the city's identity provider: the test OpenID Connect provider (tests/oidc, a real
#      oidc-provider) on a free port with a client for the script, a second server on
#      another fresh SQLite database that trusts it (SAMVERKAN_OIDC_ISSUER, RS256,
#      Keycloak's claim layout and a role map), and the script given only its client ID,
#      secret and the issuer: it gets its token by the client-credentials grant.
#
# Ends with `examples: N passed, N failed` and exits non-zero on any failure.
#
# Uses the debug binary (target/debug/samverkan, built by `cargo test`; built here only
# when missing), a venv in target/examples-venv, reused between runs, and Node.js 20 with
# tests/oidc's packages (installed here when tests/oidc/node_modules is missing).
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
bin="$target/debug/samverkan"
venv="$target/examples-venv"
py="$venv/bin/python"
script=examples/python/coverage_to_csv.py

# --- Python environment and the test provider's packages ---------------------------
if ! "$py" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
"$py" -m pip install --quiet --disable-pip-version-check -r examples/python/requirements.txt
if [[ ! -d tests/oidc/node_modules ]]; then
    npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error >/dev/null
fi

# --- The servers and the provider ----------------------------------------------------
if [[ ! -x "$bin" ]]; then
    cargo build --locked
fi

tmp="$(mktemp -d)"
server_pids=()
provider_pid=""
provider_in=""
cleanup() {
    # The provider exits when its stdin closes; the kill is for one that hangs.
    if [[ -n "$provider_in" && -e "/dev/fd/$provider_in" ]]; then
        exec {provider_in}>&-
    fi
    if [[ -n "$provider_pid" ]]; then
        kill "$provider_pid" 2>/dev/null || true
        wait "$provider_pid" 2>/dev/null || true
    fi
    for pid in "${server_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

log="$tmp/server.err" # what give_up shows
give_up() {
    echo "examples: $1" >&2
    echo "--- $(basename "$log")" >&2
    tail -n 30 "$log" >&2 || true
    echo "examples: 0 passed, 1 failed"
    exit 1
}

# start_server NAME READY_PATH [VAR=VALUE...]: start the binary with the settings given
# on a fresh SQLite database $tmp/NAME.db and a free port; wait (at most 60 s) for
# "Samverkan is up: GraphiQL at http://127.0.0.1:PORT/graphql" ("GraphQL at" when
# GraphiQL is off; inside a JSON object when logs are JSON), then for READY_PATH to
# answer 200. Sets `port`.
start_server() {
    local name="$1" ready="$2" pid deadline
    shift 2
    log="$tmp/$name.err"
    env DATABASE_URL="sqlite://$tmp/$name.db?mode=rwc" SAMVERKAN_ADDR=127.0.0.1:0 "$@" \
        "$bin" serve >"$tmp/$name.out" 2>"$log" &
    pid=$!
    server_pids+=("$pid")
    port=""
    deadline=$((SECONDS + 60))
    while [[ -z "$port" ]]; do
        kill -0 "$pid" 2>/dev/null || give_up "the server ($name) exited before it was up"
        ((SECONDS < deadline)) || give_up "the server ($name) was not up within 60 s"
        port="$(sed -n 's|.*Samverkan is up: [A-Za-z]* at http://127\.0\.0\.1:\([0-9]*\)/graphql.*|\1|p' \
            "$log" | head -n 1)"
        [[ -n "$port" ]] || sleep 0.1
    done
    until curl -fsS --max-time 2 "http://127.0.0.1:$port$ready" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || give_up "$ready ($name) did not answer 200 within 60 s"
        sleep 0.1
    done
    echo "server ($name) up on port $port"
}

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

# run_script VAR=VALUE...: the script with exactly these token settings (the others
# unset) and the server at $port; its arguments follow `--`.
token_settings=(SAMVERKAN_TOKEN SAMVERKAN_CLIENT_ID SAMVERKAN_CLIENT_SECRET
    SAMVERKAN_OIDC_ISSUER SAMVERKAN_TOKEN_URL SAMVERKAN_SCOPE SAMVERKAN_RESOURCE)
run_script() {
    local settings=()
    while [[ "$1" != -- ]]; do
        settings+=("$1")
        shift
    done
    shift
    env "${token_settings[@]/#/--unset=}" SAMVERKAN_URL="http://127.0.0.1:$port/graphql" \
        "${settings[@]}" "$py" "$script" "$@"
}

# csv_checks RUN VAR=VALUE...: the script's files and exit codes with these token
# settings, checked against the demo data.
csv_checks() {
    local run="$1" out="$tmp/$1" status latest
    shift
    status=0
    run_script "$@" -- --out "$out/2021-T2" --year 2021 --term T2 || status=$?
    check "$run: coverage_to_csv.py --year 2021 --term T2 exits 0" 0 "$status"

    local coverage="$out/2021-T2/coverage-group-kind.csv"
    check "$run: coverage: header, 13 districts and a totals row" 15 \
        "$(csv_get "$coverage" '#rows' '')"
    # Skarpnäck's two SSPF-kind groups: the 2022 plan's SSPF and the 2020 plan's SSP.
    check "$run: coverage: Skarpnäck has two SSPF groups" 2 \
        "$(csv_get "$coverage" 'Skarpnäck' SSPF)"
    check "$run: coverage: the totals row counts two SSPF groups" 2 \
        "$(csv_get "$coverage" total SSPF)"

    local summary="$out/2021-T2/follow-up-summary-2021-T2.csv"
    check "$run: follow-up T2 2021: Spånga-Tensta ONGOING" 16 \
        "$(csv_get "$summary" 'Spånga-Tensta' ONGOING)"
    check "$run: follow-up T2 2021: Spånga-Tensta DONE" 4 \
        "$(csv_get "$summary" 'Spånga-Tensta' DONE)"
    check "$run: follow-up T2 2021: Spånga-Tensta PAUSED" 2 \
        "$(csv_get "$summary" 'Spånga-Tensta' PAUSED)"

    # Without --year/--term the script picks the latest ended period itself.
    status=0
    run_script "$@" -- --out "$out/latest" >/dev/null || status=$?
    latest="$({ find "$out/latest" -name 'follow-up-summary-*.csv' 2>/dev/null || true; } | wc -l)"
    check "$run: default period: exits 0 and writes one follow-up summary" "0 1" \
        "$status $latest"
}

# says_check WHAT EXPECTED_STATUS TEXT VAR=VALUE...: the script with these settings
# exits with EXPECTED_STATUS and its output holds TEXT.
says_check() {
    local what="$1" expected="$2" text="$3" status=0 message says
    shift 3
    message="$(run_script "$@" -- --out "$tmp/refused" 2>&1)" || status=$?
    grep -qF -- "$text" <<<"$message" && says=yes || says=no
    check "$what" "$expected yes" "$status $says"
    [[ "$status $says" == "$expected yes" ]] || echo "     it said: $message"
}

# --- Run 1: a token of its own (SAMVERKAN_TOKEN) ----------------------------------------
start_server own-token /healthz
own_token_port="$port"
token="$("$bin" token --database-url "sqlite://$tmp/own-token.db?mode=rwc" \
    --sub coverage-script --org socialforvaltningen --role VIEWER --ttl 1d)"

csv_checks "own token" SAMVERKAN_TOKEN="$token"
says_check "bad token: exit 1 and says the token is invalid" 1 \
    "SAMVERKAN_TOKEN is missing, expired or invalid" SAMVERKAN_TOKEN=not-a-token
says_check "no token settings: exit 2 and names both ways" 2 \
    "either set SAMVERKAN_TOKEN to a service token (mint a service token with: samverkan token"
says_check "a client ID without its secret: exit 2 and says so" 2 \
    "SAMVERKAN_CLIENT_SECRET is not" \
    SAMVERKAN_CLIENT_ID=coverage-script SAMVERKAN_OIDC_ISSUER=https://sso.example.se

# --- Run 2: the city's identity provider, by the client-credentials grant ------------
# The script's client: Keycloak's claim layout (the organization's slug in `org`, realm
# roles in realm_access.roles). Its secret holds characters that HTTP Basic must
# form-encode (RFC 6749 section 2.3.1: a secret is printable ASCII), which oidc-provider
# decodes: sent as they are, `+` would arrive as a space and `%` would not decode.
client_id="coverage-script"
client_secret='ci secret: with+odd/chars%&=~'
"$py" - "$tmp/provider.json" "$tmp/provider-keys.json" "$client_id" "$client_secret" <<'EOF'
import json, sys
path, keys_file, client_id, client_secret = sys.argv[1:5]
config = {
    "audience": "samverkan",
    "scope": "samverkan.read",
    "keys_file": keys_file,
    "clients": [{
        "client_id": client_id,
        "client_secret": client_secret,
        "claims": {
            "org": "socialforvaltningen",
            "realm_access": {"roles": ["samverkan-reader"]},
        },
    }],
}
with open(path, "w", encoding="utf-8") as f:
    json.dump(config, f)
EOF

# The provider prints one line {"issuer":...,"port":...} once it listens, and exits when
# its stdin closes: this shell holds that pipe (close-on-exec, so the servers and the
# script do not), so it goes with the shell however the shell ends.
log="$tmp/provider.err"
coproc PROVIDER { exec node tests/oidc/provider.mjs "$tmp/provider.json" 0 2>"$tmp/provider.err"; }
# shellcheck disable=SC2153 # PROVIDER_PID is set by coproc
provider_pid="$PROVIDER_PID"
provider_out="${PROVIDER[0]}"
provider_in="${PROVIDER[1]}"
ready=""
IFS= read -r -t 60 ready <&"$provider_out" || true
issuer="$(sed -n 's|.*"issuer":"\(http://127\.0\.0\.1:[0-9]*\)".*|\1|p' <<<"$ready")"
[[ -n "$issuer" ]] || give_up "the OpenID Connect provider did not print its ready line (it exited, or not within 60 s)"
echo "OpenID Connect provider up at $issuer"

start_server provider /readyz \
    SAMVERKAN_JWT_ALGORITHM=RS256 \
    SAMVERKAN_OIDC_ISSUER="$issuer" \
    SAMVERKAN_JWT_AUDIENCE=samverkan \
    SAMVERKAN_CLAIM_ROLES=realm_access.roles \
    SAMVERKAN_CLAIM_ORGANIZATION=org \
    SAMVERKAN_ROLE_MAP=samverkan-reader=VIEWER

credentials=(SAMVERKAN_CLIENT_ID="$client_id" SAMVERKAN_CLIENT_SECRET="$client_secret")
csv_checks "provider, by discovery" "${credentials[@]}" SAMVERKAN_OIDC_ISSUER="$issuer"
# The token endpoint named directly (no discovery), with a scope and a `resource`
# (RFC 8707), as Entra ID (scope) and AD FS (resource) want them.
status=0
run_script "${credentials[@]}" SAMVERKAN_TOKEN_URL="$issuer/token" \
    SAMVERKAN_SCOPE=samverkan.read SAMVERKAN_RESOURCE=urn:samverkan:samverkan -- \
    --out "$tmp/token-url" --year 2021 --term T2 >/dev/null || status=$?
check "provider, SAMVERKAN_TOKEN_URL, _SCOPE and _RESOURCE: exit 0, Spånga-Tensta DONE" \
    "0 4" "$status $(csv_get "$tmp/token-url/follow-up-summary-2021-T2.csv" 'Spånga-Tensta' DONE)"

says_check "provider: a wrong secret: exit 1 and gives the provider's error" 1 \
    "the identity provider refused the client-credentials grant for client $client_id (invalid_client: " \
    SAMVERKAN_CLIENT_ID="$client_id" SAMVERKAN_CLIENT_SECRET=wrong \
    SAMVERKAN_OIDC_ISSUER="$issuer"
says_check "provider: an HS256 server refuses its token: exit 1 and says what to check" 1 \
    "the server does not accept the token the identity provider gave client $client_id" \
    "${credentials[@]}" SAMVERKAN_OIDC_ISSUER="$issuer" \
    SAMVERKAN_URL="http://127.0.0.1:$own_token_port/graphql"

echo "examples: $passed passed, $failed failed"
((failed == 0))
