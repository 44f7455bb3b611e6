# Sourced by the deploy/local scripts: the processes they start on this machine, and their cleanup.
#   qis_local_init NAME        a work directory ($work), removed with every process started here on exit
#   qis_start_broker [N]       N in-process brokers (default 1); sets $bootstrap
#   qis_start_serve PORT LOG [NAME=VALUE...]   one qis serve on PORT, with extra environment; sets $serve_pid
#   qis_await_ready PORT LOG PID               waits for /health/ready, or exits showing the log
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pids=()

qis_local_init() {
  work="$(mktemp -d -t "$1-XXXXXX")"
  trap qis_local_cleanup INT TERM EXIT
  "$root/qis" --version >/dev/null   # builds the jar once, before anything runs in the background
}

qis_local_cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

qis_start_broker() {
  "$root/qis" broker --brokers "${1:-1}" --bootstrap-file "$work/bootstrap" >"$work/broker.out" 2>"$work/broker.log" &
  pids+=($!)
  for _ in $(seq 1 120); do [ -f "$work/bootstrap" ] && break; sleep 0.5; done
  [ -f "$work/bootstrap" ] || { echo "the broker did not start; its log:" >&2; cat "$work/broker.log" >&2; exit 1; }
  bootstrap="$(sed 's/^bootstrap.servers=//' "$work/bootstrap")"
}

qis_start_serve() {
  local port="$1" log="$2"
  shift 2
  env QIS_BOOTSTRAP_SERVERS="$bootstrap" QIS_REST_PORT="$port" "$@" "$root/qis" serve >"$log" 2>&1 &
  serve_pid=$!
  pids+=("$serve_pid")
}

qis_await_ready() {
  local port="$1" log="$2" pid="$3"
  for _ in $(seq 1 240); do
    curl -sf "http://localhost:$port/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "qis serve on port $port did not become ready (port taken? set QIS_REST_PORT); its log:" >&2
  tail -50 "$log" >&2
  exit 1
}
