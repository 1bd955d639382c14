#!/usr/bin/env bash
# Every throughput figure of the write path next to its ceiling, as a ratio, in one run.
# All traffic on 127.0.0.1.
#
# Usage:
#   bash bench/ratios.sh [--database-url URL] [--redis-url URL] [--duration 10s]
#
#   --database-url URL  a PostgreSQL server's maintenance database, e.g.
#                       postgres://postgres@127.0.0.1:5432/postgres; scratch databases
#                       kedai_ratios and kedai_ratios_pgbench are created there and dropped at
#                       the end. Without it only the SQLite rows are measured.
#   --redis-url URL     Redis for the WebSocket row on PostgreSQL (default: none).
#   --duration D        per run (default 10s).
#
# Rows (wrk -t2 unless said):
#   POST /api/v1/orders, SQLite, 16 and 64 conns  vs  bench/sqlite_ceiling.py (the same rows
#       written by Python's sqlite3, WAL, synchronous=FULL, one writer)
#   POST /api/v1/orders, PostgreSQL, 16 and 64    vs  pgbench of bench/pg_insert.sql, same -c
#   50 outlets at once, PostgreSQL (kedai-bench outlets: one connection per outlet)
#                                                 vs  pgbench, 50 clients, one outlet each
#       (bench/pg_insert.sql -D outlets=50);
#       plus the per-outlet p99 spread (max / median; target ≤ 2)
#   (the server on PostgreSQL runs with KEDAI_DB_CONNECTIONS=50, as many connections as the
#   50-client ceiling; the ceilings run before it starts, so both never hold them at once)
#   GET /api/v1/orders/{id}, SQLite, 64           vs  GET /api/v1/ping, 64
#   WebSocket delivery p99 at 1,000 clients       (kedai-bench ws; compare with the README)
#
# Needs wrk, curl, jq, python3 (and psql + pgbench with --database-url). Build first:
#   cargo build --release -p kedai -p kedai-bench
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=bench/common.sh
source "$here/common.sh"
database_url=""
redis_url=""
duration="10s"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --database-url) database_url="$2"; shift 2 ;;
        --redis-url) redis_url="$2"; shift 2 ;;
        --duration) duration="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
for tool in wrk curl jq python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
bin="${KEDAI_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/kedai}"
bench_bin="${KEDAI_BENCH_BIN:-$(dirname "$bin")/kedai-bench}"
for b in "$bin" "$bench_bin"; do
    [[ -x "$b" ]] || { echo "no $b (cargo build --release -p kedai -p kedai-bench)" >&2; exit 1; }
done
seconds="${duration%s}"
raise_open_files

tmp="$(mktemp -d -t kedai-ratios.XXXXXX)"
pids=()
scratch=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for db in "${scratch[@]}"; do
        psql -q "$database_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export KEDAI_BIND=127.0.0.1:0 KEDAI_PUBLIC_URL=http://127.0.0.1:9
export KEDAI_MAX_CONNECTIONS_PER_CLIENT=100000 RUST_LOG=warn,kedai::startup=info

start_server() { # NAME [DATABASE_URL] [REDIS_URL] -> sets $base
    local name="$1" db="${2:-}" redis="${3:-}" log="$tmp/$1.log"
    mkdir -p "$tmp/$name"
    (
        export KEDAI_DATA_DIR="$tmp/$name"
        if [[ -n "$db" ]]; then export DATABASE_URL="$db"; else unset DATABASE_URL; fi
        if [[ -n "$redis" ]]; then export REDIS_URL="$redis"; else unset REDIS_URL; fi
        exec "$bin" serve
    ) >"$tmp/$name.out" 2>"$log" &
    pids+=($!)
    base="http://$(listen_address "$log" "${pids[-1]}" "$name")"
}
shop() { # OUTLETS -> sets token, outlet, p1, p2, order; writes $tmp/targets (outlet product)
    token=""
    api POST /api/v1/auth/register '{"username":"owner","password":"bench-password-1"}' >/dev/null
    token="$(api POST /api/v1/auth/login '{"username":"owner","password":"bench-password-1"}' | jq -er .access_token)"
    : >"$tmp/targets"
    for i in $(seq 1 "$1"); do
        outlet="$(api POST /api/v1/outlets "{\"name\":\"Outlet $i\"}" | jq -er .id)"
        p1="$(api POST "/api/v1/outlets/$outlet/products" '{"name":"Nasi","price":10000}' | jq -er .id)"
        echo "$outlet $p1" >>"$tmp/targets"
    done
    p2="$(api POST "/api/v1/outlets/$outlet/products" '{"name":"Teh","price":10000}' | jq -er .id)"
    order="$(api POST /api/v1/orders "{\"outlet_id\":\"$outlet\",\"items\":[{\"product_id\":\"$p1\",\"quantity\":1}]}" | jq -er .id)"
}
wrk_rps() { # CONNS wrk-args... -> "req/s non2xx p99ms"
    local c="$1"; shift
    wrk -t2 -c"$c" -d"$duration" --latency "$@" >"$tmp/wrk.out" 2>&1 || { cat "$tmp/wrk.out" >&2; exit 1; }
    local rps bad p99
    rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$tmp/wrk.out")"
    bad="$(awk '/^non-201:/ {print $2} /Non-2xx or 3xx responses:/ {print $NF}' "$tmp/wrk.out" | tail -n1)"
    p99="$(awk '$1 == "99%" {v=$2; n=v+0; if (v ~ /us$/) n/=1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n*=1000; printf "%.1f", n; exit}' "$tmp/wrk.out")"
    echo "$rps ${bad:-0} $p99"
}
post_orders() { # CONNS -> "req/s non201 p99ms"
    KEDAI_TOKEN="$token" KEDAI_OUTLET="$outlet" KEDAI_P1="$p1" KEDAI_P2="$p2" \
        KEDAI_RUN="ratios-$1-$$-$(date +%s%N)" \
        wrk_rps "$1" -s "$here/post_order.lua" "$base/api/v1/orders"
}
rows=()
row() { # FIGURE KEDAI CEILING-NAME CEILING TARGET NOTE
    local ratio
    ratio="$(awk -v a="$2" -v b="$4" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
    rows+=("| $1 | $2 | $3 | $4 | $ratio | $5 | $6 |")
    echo "  $1: $2 / $4 = $ratio ($5)" >&2
}

echo "kedai $("$bin" --version | awk '{print $2}'), $(nproc) CPUs, $duration per run" >&2

# --- SQLite -----------------------------------------------------------------------------------
start_server sqlite
shop 1
ceiling="$(python3 "$here/sqlite_ceiling.py" "$tmp/ceiling.db" "$seconds" | sed -n 's/^tps=//p')"
for c in 16 64; do
    read -r rps bad p99 <<<"$(post_orders "$c")"
    row "POST /orders, SQLite, $c conns" "$rps" "sqlite3 FULL, 1 writer" "$ceiling" "≥ 0.5" "p99 $p99 ms, non-201: $bad"
done
read -r ping _ ping_p99 <<<"$(wrk_rps 64 "$base/api/v1/ping")"
read -r read_rps bad read_p99 <<<"$(wrk_rps 64 -H "Authorization: Bearer $token" "$base/api/v1/orders/$order")"
row "GET /orders/{id}, SQLite, 64 conns" "$read_rps" "GET /ping, 64 conns" "$ping" "≥ 0.25" "p99 $read_p99 ms (ping $ping_p99 ms), non-2xx: $bad"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# --- PostgreSQL -------------------------------------------------------------------------------
if [[ -n "$database_url" ]]; then
    command -v pgbench >/dev/null || { echo "missing pgbench" >&2; exit 1; }
    server_url="${database_url%/*}"
    scratch+=(kedai_ratios kedai_ratios_pgbench)
    for db in "${scratch[@]}"; do
        PGOPTIONS="-c client_min_messages=warning" psql -q "$database_url" \
            -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
    done
    psql -q -v ON_ERROR_STOP=1 -f "$here/pg_schema.sql" "$server_url/kedai_ratios_pgbench" >/dev/null
    pgbench_tps() { # CLIENTS OUTLETS -> tps
        pgbench -n -f "$here/pg_insert.sql" -D outlets="$2" -c "$1" -j2 -T "$seconds" \
            "$server_url/kedai_ratios_pgbench" >"$tmp/pgbench.out" 2>&1 || { cat "$tmp/pgbench.out" >&2; exit 1; }
        sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/pgbench.out" | head -n1 | awk '{printf "%.0f", $1}'
    }
    # The ceilings first: while the server runs, its pool holds connections of its own.
    declare -A ceilings=([16]="$(pgbench_tps 16 1)" [64]="$(pgbench_tps 64 1)" [50]="$(pgbench_tps 50 50)")
    # As many database connections as the widest ceiling run has clients.
    KEDAI_DB_CONNECTIONS=50 start_server postgres "$server_url/kedai_ratios" "$redis_url"
    shop 50
    for c in 16 64; do
        read -r rps bad p99 <<<"$(post_orders "$c")"
        row "POST /orders, PostgreSQL, $c conns" "$rps" "pgbench -c $c" "${ceilings[$c]}" "≥ 0.5" "p99 $p99 ms, non-201: $bad"
    done
    line="$("$bench_bin" outlets --url "$base" --token "$token" --targets "$tmp/targets" --duration-secs "$seconds")"
    value() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" <<<"$line"; }
    spread="$(awk -v a="$(value outlet_p99_max_ms)" -v b="$(value outlet_p99_median_ms)" 'BEGIN { printf "%.2f", a / b }')"
    row "50 outlets at once, PostgreSQL" "$(value orders_per_s)" "pgbench -c 50, one outlet each" \
        "${ceilings[50]}" "≥ 0.5" \
        "p99 $(value p99_ms) ms; per-outlet p99 median $(value outlet_p99_median_ms) ms, max $(value outlet_p99_max_ms) ms (max/median $spread, target ≤ 2); non-201: $(value non201)"
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
fi

# --- WebSocket delivery -------------------------------------------------------------------------
ws_args=(--clients 1000 --server-bin "$bin")
ws_db="SQLite"
if [[ -n "$database_url" ]]; then
    psql -q "$database_url" -c "DROP DATABASE IF EXISTS kedai_ratios WITH (FORCE)" -c "CREATE DATABASE kedai_ratios" >/dev/null
    ws_args+=(--database-url "${database_url%/*}/kedai_ratios")
    [[ -n "$redis_url" ]] && ws_args+=(--redis-url "$redis_url")
    ws_db="PostgreSQL"
fi
ws_line="$("$bench_bin" ws "${ws_args[@]}" 2>/dev/null | grep '^| ' | tail -n1)"

echo
echo "$(nproc) CPUs, 127.0.0.1, $duration per run, $(date -u +%Y-%m-%d)."
echo
echo "| figure | Kedai /s | ceiling | ceiling /s | ratio | target | notes |"
echo "|---|--:|---|--:|--:|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "WebSocket delivery at 1,000 clients ($ws_db; README table: p99 15.7 ms SQLite, 18.1 ms PostgreSQL + Redis):"
echo "$ws_line"
