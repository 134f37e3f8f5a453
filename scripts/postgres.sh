#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: 127.0.0.1:$PORT, trust auth, database the_model.
#   scripts/postgres.sh start   initialise (if needed) and start; no-op when running
#   scripts/postgres.sh stop    stop and delete the data directory; no-op when absent
#   scripts/postgres.sh port    print a free TCP port on 127.0.0.1 (make test-postgres picks one)
# Runs the server as an unprivileged user when started as root (PostgreSQL refuses root).
# Without initdb on the machine, installs Debian's postgresql package (as root).
set -euo pipefail

PORT="${THE_MODEL_PG_PORT:-55432}"
DATA="${THE_MODEL_PG_DATA:-/tmp/the_model_pg_${PORT}}"
DATABASE="${THE_MODEL_PG_DATABASE:-the_model}"
RUN_AS="${THE_MODEL_PG_RUN_AS:-nobody}"

find_bin() {
    local dir
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        # the real folder (a symlink in /usr/local/bin has no psql beside it)
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then echo "$dir"; return; fi
    done
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "initdb not found: installing postgresql with apt-get" >&2
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
        # Debian's package creates a "main" cluster and may start it (where no
        # policy-rc.d forbids): stop it, the tests use a server of their own.
        if command -v pg_lsclusters >/dev/null 2>&1; then
            pg_lsclusters --no-header | while read -r version cluster _ status _; do
                if [[ $status == online* ]]; then pg_ctlcluster "$version" "$cluster" stop >&2 || true; fi
            done
        fi
        for dir in /usr/lib/postgresql/*/bin; do
            if [[ -x "$dir/initdb" ]]; then echo "$dir"; return; fi
        done
    fi
    echo "initdb not found and cannot be installed (run as root, or install PostgreSQL)" >&2
    exit 1
}

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

start() {
    local bin
    bin="$(find_bin)"
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        rm -rf "$DATA"
        mkdir -p "$DATA"
        if [[ $(id -u) -eq 0 ]]; then chown "$RUN_AS" "$DATA"; fi
        chmod 700 "$DATA"
        as_owner "$bin/initdb" --pgdata="$DATA" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C >"$DATA.initdb.log" 2>&1 \
            || { cat "$DATA.initdb.log" >&2; exit 1; }
    fi
    if as_owner "$bin/pg_ctl" status --pgdata="$DATA" >/dev/null 2>&1; then
        echo "postgres already running on 127.0.0.1:$PORT ($DATA)"
    else
        as_owner "$bin/pg_ctl" start --pgdata="$DATA" --wait --log="$DATA/server.log" \
            -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories='$DATA' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            >/dev/null || { cat "$DATA/server.log" >&2; exit 1; }
        echo "postgres started on 127.0.0.1:$PORT ($DATA)"
    fi
    local psql="$bin/psql"
    [[ -x "$psql" ]] || psql="$(command -v psql)" || { echo "psql not found" >&2; exit 1; }
    if ! as_owner "$psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
        "select 1 from pg_database where datname = '$DATABASE'" | grep -q 1; then
        as_owner "$psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -q \
            -c "create database \"$DATABASE\""
    fi
}

stop() {
    if [[ -f "$DATA/PG_VERSION" ]]; then
        local bin
        bin="$(find_bin)"
        as_owner "$bin/pg_ctl" stop --pgdata="$DATA" --mode=fast --wait >/dev/null 2>&1 || true
        echo "postgres on 127.0.0.1:$PORT stopped"
    fi
    rm -rf "$DATA" "$DATA.initdb.log"
}

free_port() {
    # the kernel hands out a free port for port 0; the socket closes at once
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    port) free_port ;;
    *) echo "usage: $0 start|stop|port" >&2; exit 2 ;;
esac
