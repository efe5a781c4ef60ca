#!/usr/bin/env bash
# CI: GraphQL over HTTP to the letter, and a bounded fuzz run, against the real server.
#
# For each database — an SQLite file, and a fresh PostgreSQL database on CI_POSTGRES_URL
# (default postgres://postgres@127.0.0.1:5432/postgres; dropped afterwards) — start the
# debug binary on a free port (rate limit off), mint tokens with `samverkan token`, and run
#   1. the graphql-http server audits (graphql-http/audit.mjs, npm packages pinned in its
#      package-lock.json), with a VIEWER token: any MUST or SHOULD that does not pass fails;
#   2. schemathesis in GraphQL mode (pinned in schemathesis/requirements.txt, installed in
#      target/conformance-venv) for CONFORMANCE_FUZZ_SECONDS (default 60) with an ADMIN
#      token, on the schema the binary exports: any 5xx, any error schemathesis counts as
#      a server error (its not_a_server_error check) and any `extensions.code` INTERNAL
#      (schemathesis/hooks.py) fails;
#   3. the server must still run and must not have logged a panic.
# Ends with `conformance: N passed, N failed`; exits non-zero on any failure.
#
# Settings: CONFORMANCE_DATABASES ("sqlite postgres"), CONFORMANCE_FUZZ_SECONDS (60),
# CONFORMANCE_FUZZ_SEED (fixed, so that a run can be repeated; `random` for a new one).
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/../.."
root="$(pwd)"

target="${CARGO_TARGET_DIR:-target}"
bin="$root/$target/debug/samverkan"
[[ "$target" = /* ]] && bin="$target/debug/samverkan"
venv="$root/target/conformance-venv"
audit_dir="$root/tests/conformance/graphql-http"
st_dir="$root/tests/conformance/schemathesis"
fuzz_seconds="${CONFORMANCE_FUZZ_SECONDS:-60}"
fuzz_seed="${CONFORMANCE_FUZZ_SEED:-20261130}"
pg_admin="${CI_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
databases="${CONFORMANCE_DATABASES:-sqlite postgres}"

# --- Tools (idempotent; quick when already installed) --------------------------------
echo "== conformance: tools (node $(node --version))"
(cd "$audit_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
if ! cmp -s "$st_dir/requirements.txt" "$venv/requirements.installed"; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$st_dir/requirements.txt"
    cp "$st_dir/requirements.txt" "$venv/requirements.installed"
fi
echo "schemathesis $("$venv/bin/schemathesis" --version | awk '{ print $NF }')"
if [[ ! -x "$bin" ]]; then
    cargo build --locked
fi

tmp="$(mktemp -d)"
# One secret for the servers and the tokens (PostgreSQL has no secret file).
SAMVERKAN_JWT_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export SAMVERKAN_JWT_SECRET
server_pid=""
pg_db=""
stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
drop_pg() {
    if [[ -n "$pg_db" ]]; then
        psql "$pg_admin" -qAtc "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
        pg_db=""
    fi
}
cleanup() {
    stop_server
    drop_pg
    rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
record() { # record ok|fail WHAT
    if [[ "$1" == ok ]]; then
        passed=$((passed + 1))
        echo "ok   $2"
    else
        failed=$((failed + 1))
        echo "FAIL $2"
    fi
}

# start_server NAME DATABASE_URL: start the binary, set $port (empty when it did not come up).
start_server() {
    local name="$1" url="$2"
    port=""
    : >"$tmp/$name.err"
    DATABASE_URL="$url" SAMVERKAN_ADDR=127.0.0.1:0 SAMVERKAN_RATE_LIMIT_PER_MINUTE=0 \
        "$bin" serve >"$tmp/$name.out" 2>"$tmp/$name.err" &
    server_pid=$!
    local deadline=$((SECONDS + 60))
    while [[ -z "$port" ]]; do
        kill -0 "$server_pid" 2>/dev/null || return 1
        ((SECONDS < deadline)) || return 1
        port="$(sed -n 's|.*Samverkan is up: [A-Za-z]* at http://127\.0\.0\.1:\([0-9]*\)/graphql.*|\1|p' \
            "$tmp/$name.err" | head -n 1)"
        [[ -n "$port" ]] || sleep 0.1
    done
    until curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

show_server_log() {
    echo "--- server stderr ($1, last 30 lines)"
    tail -n 30 "$tmp/$1.err" || true
}

run_database() { # run_database NAME DATABASE_URL
    local name="$1" url="$2"
    echo "== conformance on $name"
    if ! start_server "$name" "$url"; then
        record fail "$name: the server did not come up"
        show_server_log "$name"
        stop_server
        return
    fi
    local endpoint="http://127.0.0.1:$port/graphql"
    echo "server up on port $port"
    local viewer admin
    viewer="$(DATABASE_URL="$url" "$bin" token --sub conformance-audit --org socialforvaltningen --role VIEWER --ttl 1h)"
    admin="$(DATABASE_URL="$url" "$bin" token --sub conformance-fuzz --org socialforvaltningen --role ADMIN --ttl 1h)"

    if (cd "$audit_dir" && SAMVERKAN_URL="$endpoint" SAMVERKAN_TOKEN="$viewer" \
        node audit.mjs "graphql-http audits on $name"); then
        record ok "$name: graphql-http audits (every MUST and SHOULD)"
    else
        record fail "$name: graphql-http audits (see FAIL lines above)"
    fi

    "$bin" export-schema "$tmp/schema.graphql" 2>/dev/null
    local seed=()
    [[ "$fuzz_seed" == random ]] || seed=(--seed "$fuzz_seed")
    mkdir -p "$tmp/fuzz-$name"
    if (cd "$tmp/fuzz-$name" && PYTHONPATH="$st_dir" SCHEMATHESIS_HOOKS=hooks \
        "$venv/bin/schemathesis" run "$tmp/schema.graphql" --url "$endpoint" \
        -H "Authorization: Bearer $admin" \
        --checks not_a_server_error,no_internal_error \
        --max-time "$fuzz_seconds" --workers 2 "${seed[@]}"); then
        record ok "$name: schemathesis fuzz ${fuzz_seconds}s (no 5xx, no server error, no INTERNAL)"
    else
        record fail "$name: schemathesis fuzz (see the FAILURES above)"
    fi

    if kill -0 "$server_pid" 2>/dev/null && ! grep -q "panicked" "$tmp/$name.err"; then
        record ok "$name: the server still runs and logged no panic"
    else
        record fail "$name: the server died or panicked"
        show_server_log "$name"
    fi
    stop_server
}

for database in $databases; do
    case "$database" in
    sqlite)
        run_database sqlite "sqlite://$tmp/conformance.db?mode=rwc"
        ;;
    postgres)
        if ! pg_isready -q -h 127.0.0.1 -p 5432; then
            record fail "postgres: no PostgreSQL at 127.0.0.1:5432"
            continue
        fi
        pg_db="samverkan_conformance_$$_$RANDOM"
        psql "$pg_admin" -qAtc "CREATE DATABASE \"$pg_db\"" >/dev/null
        run_database postgres "${pg_admin%/*}/$pg_db"
        drop_pg
        ;;
    *)
        record fail "unknown database '$database' in CONFORMANCE_DATABASES"
        ;;
    esac
done

echo "conformance: $passed passed, $failed failed"
((failed == 0))
