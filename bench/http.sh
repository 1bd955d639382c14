#!/usr/bin/env bash
# HTTP throughput/latency of the Kedai server with wrk (issue 9). All traffic on 127.0.0.1.
#
# Usage:
#   bash bench/http.sh [--database-url URL] [--duration 10s] [--conns "16 64 256"]
#
#   --database-url URL  run the server on PostgreSQL: URL names an EMPTY database you created,
#                       e.g. postgres://postgres@127.0.0.1:5432/kedai_http. Also runs pgbench of
#                       bench/pg_insert.sql (the DB work of one order) in a scratch database
#                       <URL's database>_pgbench on the same server (created and dropped here).
#                       Without it: SQLite in the temp data dir.
#   --duration D        wrk duration per run (default 10s; also BENCH_DURATION).
#   --conns LIST        connection counts (default "16 64 256"; at most 256, see below).
#
# Needs: wrk, curl, jq (and psql + pgbench with --database-url). The server binary is
# $CARGO_TARGET_DIR/release/kedai (default target/release/kedai), with kedai-bench beside it;
# build both first with `cargo build --release -p kedai -p kedai-bench`, or set KEDAI_BIN and
# KEDAI_BENCH_BIN.
#
# What it does: starts the release server in a fresh temp data dir on 127.0.0.1:0 (the
# address is read from the "Starting server on" log line), registers an owner, logs in,
# creates an outlet, two products and one order, then runs `wrk -t2 -cN -dD --latency` for
#   GET  /                     (kedai-bench hello: a bare poem route, the stack's ceiling)
#   GET  /api/v1/ping          (Kedai's middleware and OpenAPI routing, no DB, no auth)
#   GET  /api/v1/orders/{id}   (bearer auth + one order read)
#   POST /api/v1/orders        (2 items, unique Idempotency-Key per request: bench/post_order.lua)
#   POST /api/v1/orders again, with a kitchen printer that accepts and never answers (each
#                              try holds the worker for its 6 s of timeouts; tickets pile up)
# and prints a Markdown table. The server admits 512 requests in flight (beyond: 503
# OVERLOADED); connections are capped at 256 so that limit never triggers. The server and
# the temp dir (and the pgbench scratch database) are removed on exit, also on error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=bench/common.sh
source "$here/common.sh"
database_url=""
duration="${BENCH_DURATION:-10s}"
conns_list="16 64 256"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --database-url) database_url="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        --conns) conns_list="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

for c in $conns_list; do
    if (( c > 256 )); then
        echo "--conns: $c > 256 would reach the server's in-flight limit (512)" >&2
        exit 2
    fi
done
for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 1; }
done

bin="${KEDAI_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/kedai}"
[[ -x "$bin" ]] || { echo "no server binary at $bin (cargo build --release -p kedai)" >&2; exit 1; }

raise_open_files

tmp="$(mktemp -d -t kedai-http-bench.XXXXXX)"
server_pid=""
hello_pid=""
scratch_db=""
admin_url=""
cleanup() {
    if [[ -n "$hello_pid" ]]; then kill "$hello_pid" 2>/dev/null || true; fi
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n "$scratch_db" ]]; then
        psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $scratch_db" >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- server -------------------------------------------------------------------------------
export KEDAI_DATA_DIR="$tmp/data"
export KEDAI_BIND=127.0.0.1:0
export KEDAI_PUBLIC_URL=http://127.0.0.1:9
# wrk's connections all come from 127.0.0.1: lift the per-device connection cap.
export KEDAI_MAX_CONNECTIONS_PER_CLIENT=100000
export RUST_LOG=warn,kedai::startup=info
if [[ -n "$database_url" ]]; then
    export DATABASE_URL="$database_url"
    db_kind="PostgreSQL ($(psql -Atq "$database_url" -c 'SHOW server_version'))"
else
    unset DATABASE_URL
    db_kind="SQLite (temp data dir)"
fi
log="$tmp/server.log"
"$bin" serve >"$tmp/server.out" 2>"$log" &
server_pid=$!
base="http://$(listen_address "$log" "$server_pid" server)"

# The ceiling: a bare poem route (kedai-bench hello), same stack, nothing behind it.
bench_bin="${KEDAI_BENCH_BIN:-$(dirname "$bin")/kedai-bench}"
[[ -x "$bench_bin" ]] || { echo "no $bench_bin (cargo build --release -p kedai-bench)" >&2; exit 1; }
"$bench_bin" hello >"$tmp/hello.out" 2>&1 &
hello_pid=$!
hello_addr="$(listen_address "$tmp/hello.out" "$hello_pid" "kedai-bench hello")"

# --- fixtures -----------------------------------------------------------------------------
token=""
api POST /api/v1/auth/register '{"username":"owner","password":"bench-password-1"}' >/dev/null
token="$(api POST /api/v1/auth/login '{"username":"owner","password":"bench-password-1"}' | jq -er .access_token)"
outlet="$(api POST /api/v1/outlets '{"name":"Bench"}' | jq -er .id)"
p1="$(api POST "/api/v1/outlets/$outlet/products" '{"name":"Nasi","price":10000}' | jq -er .id)"
p2="$(api POST "/api/v1/outlets/$outlet/products" '{"name":"Teh","price":10000}' | jq -er .id)"
order="$(api POST /api/v1/orders \
    "$(jq -cn --arg o "$outlet" --arg p "$p1" '{outlet_id: $o, items: [{product_id: $p, quantity: 1}]}')" | jq -er .id)"

# --- wrk ------------------------------------------------------------------------------------
to_ms() { # wrk latency ("812.00us", "1.23ms", "2.01s") -> ms
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /m$/) n *= 60000;
        else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}
rows=()
rss_of() { # PID -> resident set size in MiB
    awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}
run_wrk() { # LABEL CONNS wrk-args... (measures the RSS of $measured_pid at the end)
    local label="$1" c="$2"; shift 2
    local out="$tmp/wrk.out"
    wrk -t2 -c"$c" -d"$duration" --latency "$@" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
    local rps p50 p99 bad sock
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
    p50="$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$out")")"
    bad="$(awk '/^non-201:/ {print $2} /Non-2xx or 3xx responses:/ {print $NF}' "$out" | tail -n1)"
    bad="${bad:-0}"
    local statuses
    statuses="$(sed -n 's/^statuses: \(.\+\)$/\1/p' "$out")"
    [[ -n "$statuses" ]] && bad="$bad ($statuses)"
    sock="$(sed -n 's/^ *Socket errors: //p' "$out")"
    [[ -n "$sock" ]] && bad="$bad; socket errors: $sock"
    rows+=("| $label | $c | $rps | $p50 | $p99 | $(rss_of "$measured_pid") | $bad |")
    echo "  $label c=$c: $rps req/s" >&2
}

echo "kedai $("$bin" --version 2>/dev/null | awk '{print $2}') on $db_kind at $base; wrk $duration per run, $(nproc) CPUs" >&2
measured_pid="$hello_pid"
for c in $conns_list; do
    run_wrk "GET / (bare poem hello)" "$c" "http://$hello_addr/"
done
kill "$hello_pid" 2>/dev/null || true; hello_pid=""
measured_pid="$server_pid"
echo "  kedai idle RSS: $(rss_of "$server_pid") MiB" >&2
for c in $conns_list; do
    run_wrk "GET /api/v1/ping" "$c" "$base/api/v1/ping"
done
for c in $conns_list; do
    run_wrk "GET /api/v1/orders/{id}" "$c" -H "Authorization: Bearer $token" "$base/api/v1/orders/$order"
done
for c in $conns_list; do
    KEDAI_TOKEN="$token" KEDAI_OUTLET="$outlet" KEDAI_P1="$p1" KEDAI_P2="$p2" \
        KEDAI_RUN="$c-$$-$(date +%s%N)" \
        run_wrk "POST /api/v1/orders (2 items)" "$c" -s "$here/post_order.lua" "$base/api/v1/orders"
done

# The same orders with a kitchen printer that accepts connections and never answers: every
# order queues a ticket, each try holds the worker 6 s, and order creation must not notice.
cat >"$tmp/stalled_printer.py" <<'PY'
import socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)  # kept open, never read
PY
python3 "$tmp/stalled_printer.py" >"$tmp/stalled.port" &
stalled_pid=$!
for _ in $(seq 1 50); do [[ -s "$tmp/stalled.port" ]] && break; sleep 0.1; done
stalled_port="$(head -n1 "$tmp/stalled.port")"
api POST "/api/v1/outlets/$outlet/printers" \
    "$(jq -cn --arg a "127.0.0.1:$stalled_port" '{name: "Stalled", kind: "KITCHEN", address: $a}')" >/dev/null
for c in $conns_list; do
    KEDAI_TOKEN="$token" KEDAI_OUTLET="$outlet" KEDAI_P1="$p1" KEDAI_P2="$p2" \
        KEDAI_RUN="stalled-$c-$$-$(date +%s%N)" \
        run_wrk "POST /api/v1/orders (2 items), kitchen printer stalled" "$c" -s "$here/post_order.lua" "$base/api/v1/orders"
done
kill "$stalled_pid" 2>/dev/null || true

if grep -q 'OVERLOADED\| ERROR ' "$log"; then
    echo "note: the server log has errors:" >&2
    grep 'OVERLOADED\| ERROR ' "$log" | head -n 5 >&2
fi

# --- pgbench ceiling (PostgreSQL only) ------------------------------------------------------
pg_rows=()
if [[ -n "$database_url" ]]; then
    command -v pgbench >/dev/null || { echo "missing pgbench" >&2; exit 1; }
    admin_url="$database_url"
    user_db="${database_url##*/}"; user_db="${user_db%%\?*}"
    scratch_db="${user_db}_pgbench"
    scratch_url="${database_url%/*}/$scratch_db"
    PGOPTIONS="-c client_min_messages=warning" psql -q "$admin_url" \
        -c "DROP DATABASE IF EXISTS $scratch_db" -c "CREATE DATABASE $scratch_db" >/dev/null
    psql -q -v ON_ERROR_STOP=1 -f "$here/pg_schema.sql" "$scratch_url" >/dev/null
    for c in 16 64; do
        out="$tmp/pgbench.out"
        pgbench -n -f "$here/pg_insert.sql" -D outlets=1 -c "$c" -j2 -T "${duration%s}" "$scratch_url" >"$out" 2>&1 \
            || { cat "$out" >&2; exit 1; }
        tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out" | head -n1)"
        lat="$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$out")"
        failed="$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")"
        pg_rows+=("| pg_insert.sql | $c | $(printf '%.0f' "$tps") | $lat | ${failed:-0} |")
        echo "  pgbench c=$c: $tps tps" >&2
    done
fi

# --- report ---------------------------------------------------------------------------------
echo
echo "Database: $db_kind. wrk -t2, $duration per run, $(nproc) CPUs, 127.0.0.1."
echo "GET / (bare poem hello) is the HTTP stack's ceiling; /api/v1/ping adds Kedai's middleware."
echo
echo "| endpoint | conns | req/s | p50 ms | p99 ms | server RSS MiB | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${rows[@]}"
if (( ${#pg_rows[@]} )); then
    echo
    echo "pgbench ceiling: the DB work of one order (bench/pg_insert.sql) in one transaction, -j2, ${duration%s} s."
    echo
    echo "| script | clients | tps | avg latency ms | failed |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s\n' "${pg_rows[@]}"
fi
