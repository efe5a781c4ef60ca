# Shell helpers shared by bench/run.sh and bench/import.sh (sourced, not run). They use the
# caller's SERVER_PID (the server it started), PG_DB (the database it created) and
# PG_ADMIN_URL.

# Stop the server the script started, if it still runs.
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

# Drop the PostgreSQL database the script created, if any.
drop_pg() {
    if [ -n "$PG_DB" ]; then
        psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}
