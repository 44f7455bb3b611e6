#!/usr/bin/env bash
# Several brokers and two qis serve instances on this machine, no containers: the cluster layout of
# deploy/compose.yaml in one terminal. Ctrl-C stops everything.
#   deploy/local/two-instances.sh [BROKERS]     (default 3 brokers; REST on 8080 and 8081)
set -euo pipefail
brokers="${1:-3}"
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
qis_local_init qis-local
qis_start_broker "$brokers"
echo "brokers: $bootstrap" >&2

replication=$(( brokers < 3 ? brokers : 3 ))
for i in 1 2; do
  port=$(( 8079 + i ))
  qis_start_serve "$port" "$work/serve-$i.log" QIS_APPLICATION_SERVER="localhost:$port" QIS_STATE_DIR="$work/state-$i" \
    QIS_TOPICS_REPLICATION_FACTOR="$replication" QIS_NUM_STANDBY_REPLICAS=1
  qis_await_ready "$port" "$work/serve-$i.log" "$serve_pid"
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
