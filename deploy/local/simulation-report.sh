#!/usr/bin/env bash
# The measured simulation of docs/simulation.md: an in-process broker, one qis serve instance and qis simulate,
# as three processes on this machine. Writes the text report to OUT.txt and the JSON report to OUT.json.
#   deploy/local/simulation-report.sh OUT [simulate flags...]
#   e.g. deploy/local/simulation-report.sh /tmp/sim --nodes 1000 --domains 40 --rounds 20
set -euo pipefail
out="${1:?usage: simulation-report.sh OUT [simulate flags...]}"; shift
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
qis_local_init qis-sim
qis_start_broker
port="${QIS_REST_PORT:-8080}"
qis_start_serve "$port" "$work/serve.log" QIS_STATE_DIR="$work/state"
qis_await_ready "$port" "$work/serve.log" "$serve_pid"
echo "broker $bootstrap, app http://localhost:$port; simulating..." >&2
start=$(date +%s)
"$root/qis" simulate -b "$bootstrap" --api "http://localhost:$port" --report-json "$out.json" "$@" | tee "$out.txt"
echo "wall time: $(( $(date +%s) - start )) s" | tee -a "$out.txt"
