#!/usr/bin/env bash
# The measured simulation of docs/simulation.md: an in-process broker, one qis serve instance and qis simulate,
# as three processes on this machine. Writes the text report to OUT.txt and the JSON report to OUT.json.
#   deploy/local/simulation-report.sh OUT [simulate flags...]
#   e.g. deploy/local/simulation-report.sh /tmp/sim --nodes 1000 --domains 40 --rounds 20
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: simulation-report.sh OUT [simulate flags...]}"; shift
work="$(mktemp -d -t qis-sim-XXXXXX)"
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup INT TERM EXIT

"$root/qis" --version >/dev/null
"$root/qis" broker --bootstrap-file "$work/bootstrap" >"$work/broker.out" 2>"$work/broker.log" &
pids+=($!)
for _ in $(seq 1 120); do [ -f "$work/bootstrap" ] && break; sleep 0.5; done
[ -f "$work/bootstrap" ] || { echo "the broker did not start" >&2; cat "$work/broker.log" >&2; exit 1; }
bootstrap="$(sed 's/^bootstrap.servers=//' "$work/bootstrap")"
port="${QIS_REST_PORT:-8080}"
QIS_BOOTSTRAP_SERVERS="$bootstrap" QIS_REST_PORT="$port" QIS_STATE_DIR="$work/state" \
  "$root/qis" serve >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do curl -sf "http://localhost:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
if ! kill -0 "${pids[1]}" 2>/dev/null || ! curl -sf "http://localhost:$port/health/ready" >/dev/null; then
  echo "qis serve did not become ready (is port $port taken? set QIS_REST_PORT)" >&2; tail -50 "$work/serve.log" >&2; exit 1
fi
echo "broker $bootstrap, app http://localhost:$port; simulating..." >&2
start=$(date +%s)
"$root/qis" simulate -b "$bootstrap" --api "http://localhost:$port" --report-json "$out.json" "$@" | tee "$out.txt"
echo "wall time: $(( $(date +%s) - start )) s" | tee -a "$out.txt"
