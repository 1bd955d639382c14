# Shell helpers shared by bench/http.sh and bench/ratios.sh (sourced, not run).

# As many open files as allowed (the server and wrk inherit it).
raise_open_files() {
    local hard
    hard="$(ulimit -Hn)"
    if [[ "$hard" == unlimited ]]; then ulimit -n 1048576 2>/dev/null || true; else ulimit -n "$hard"; fi
}

listen_address() { # LOG PID NAME -> the host:port from LOG's "Starting server on" line
    local log="$1" pid="$2" name="$3" found=""
    for _ in $(seq 1 300); do
        found="$(sed -n 's/\x1b\[[0-9;]*m//g; s/.*Starting server on \([^ ]*\).*/\1/p' "$log" | head -n1)"
        [[ -n "$found" ]] && { echo "$found"; return; }
        kill -0 "$pid" 2>/dev/null || { echo "$name exited:" >&2; cat "$log" >&2; exit 1; }
        sleep 0.1
    done
    echo "$name did not start in 30 s:" >&2; cat "$log" >&2; exit 1
}

api() { # METHOD PATH [JSON] -> response body of $base$PATH (as $token, if set); fails on HTTP errors
    local args=(-sS --fail-with-body -X "$1" -H 'Content-Type: application/json')
    [[ -n "${token:-}" ]] && args+=(-H "Authorization: Bearer $token")
    [[ -n "${3:-}" ]] && args+=(--data "$3")
    curl "${args[@]}" "$base$2"
}
