#!/usr/bin/env bash
# Several brokers and two qis serve instances on this machine, no containers: the cluster layout of
# deploy/compose.yaml in one terminal. Ctrl-C stops everything.
#   deploy/local/two-instances.sh [BROKERS]     (default 3 brokers; REST on 8080 and 8081)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
brokers="${1:-3}"
work="$(mktemp -d -t qis-local-XXXXXX)"
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "stopping..." >&2
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup INT TERM EXIT

"$root/qis" --version >/dev/null   # builds the jar once, before anything runs in the background
"$root/qis" broker --brokers "$brokers" --bootstrap-file "$work/bootstrap" >"$work/broker.out" 2>"$work/broker.log" &
pids+=($!)
for _ in $(seq 1 120); do [ -f "$work/bootstrap" ] && break; sleep 0.5; done
[ -f "$work/bootstrap" ] || { echo "the brokers did not start; see $work/broker.log" >&2; cat "$work/broker.log" >&2; exit 1; }
bootstrap="$(sed 's/^bootstrap.servers=//' "$work/bootstrap")"
echo "brokers: $bootstrap" >&2

replication=$(( brokers < 3 ? brokers : 3 ))
for i in 1 2; do
  port=$(( 8079 + i ))
  QIS_BOOTSTRAP_SERVERS="$bootstrap" QIS_REST_PORT="$port" QIS_APPLICATION_SERVER="localhost:$port" \
  QIS_STATE_DIR="$work/state-$i" QIS_TOPICS_REPLICATION_FACTOR="$replication" QIS_NUM_STANDBY_REPLICAS=1 \
    "$root/qis" serve >"$work/serve-$i.log" 2>&1 &
  pids+=($!)
done
for port in 8080 8081; do
  for _ in $(seq 1 240); do
    curl -sf "http://localhost:$port/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! kill -0 "${pids[$(( port - 8079 ))]}" 2>/dev/null || ! curl -sf "http://localhost:$port/health/ready" >/dev/null; then
    echo "instance on $port not ready (port taken?); its log:" >&2; tail -30 "$work/serve-$(( port - 8079 )).log" >&2; exit 1
  fi
  echo "instance ready: http://localhost:$port" >&2
done
cat >&2 <<MSG
two instances share the partitions of $brokers broker(s). Try:
  curl -s localhost:8080/v1/instances
  QIS_BOOTSTRAP_SERVERS=$bootstrap ./qis simulate --nodes 50 --rounds 3 --api http://localhost:8081
  curl -s localhost:8080/v1/domains
logs: $work   (Ctrl-C stops everything)
MSG
wait
