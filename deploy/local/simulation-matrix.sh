#!/usr/bin/env bash
# The scenario matrix of docs/simulation.md: one in-process broker and one qis serve, then qis simulate for every
# scenario and seed, each on its own domains (--domain-prefix); writes OUTDIR/matrix.md, one row per scenario with
# its exact flags and each goal as mean [min, max] over the seeds, a mark on each missed goal. Every run's text and
# JSON report stays under OUTDIR/runs/.
#   deploy/local/simulation-matrix.sh OUTDIR [--quick]
# Scale of every run: QIS_MATRIX_SCALE (default "--nodes 150 --domains 15 --rounds 8"); seeds 42, 7 and 1234.
# --quick: seed 42 only, the first two scenarios (a check of the script, not a measurement).
# QIS_CLI: the qis command that simulates (default: this checkout's launcher).
set -euo pipefail
usage="usage: simulation-matrix.sh OUTDIR [--quick]"
out="${1:?$usage}"
quick=false
case "${2:-}" in
  "") ;;
  --quick) quick=true ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
[ $# -le 2 ] || { echo "$usage" >&2; exit 2; }
mkdir -p "$out/runs"
out="$(cd "$out" && pwd)"

source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
qis="${QIS_CLI:-$root/qis}"
scale="${QIS_MATRIX_SCALE:---nodes 150 --domains 15 --rounds 8}"
seeds=(42 7 1234)
# scenario|flags besides the scale and the seed
rows=(
  "base|"
  "Byzantine share 0.3|--byzantine-share 0.3"
  "Sybil keys 0|--sybil-keys 0"
  "Sybil keys 500|--sybil-keys 500"
  "Zipf 0.8|--zipf-exponent 0.8"
  "Zipf 1.4|--zipf-exponent 1.4"
  "epsilon 0.05|--epsilon 0.05"
  "epsilon 0.2|--epsilon 0.2"
  "6 families|--families 6"
  "large configuration space|--config-space large"
)
if $quick; then
  seeds=(42)
  rows=("${rows[@]:0:2}")
fi

qis_local_init qis-matrix
qis_start_broker
port="${QIS_REST_PORT:-8080}"
qis_start_serve "$port" "$work/serve.log" QIS_STATE_DIR="$work/state"
qis_await_ready "$port" "$work/serve.log" "$serve_pid"
echo "broker $bootstrap, app http://localhost:$port; ${#rows[@]} scenarios x ${#seeds[@]} seeds at $scale" >&2

: >"$out/runs.tsv"
start=$(date +%s)
i=0
for row in "${rows[@]}"; do
  name="${row%%|*}"
  flags="${row#*|}"
  for seed in "${seeds[@]}"; do
    prefix="mx${i}-s${seed}"
    run_start=$(date +%s)
    # shellcheck disable=SC2086  # the scale and flags are lists of words
    if ! "$qis" simulate -b "$bootstrap" --api "http://localhost:$port" --quiet --seed "$seed" \
        --domain-prefix "$prefix" $scale $flags --report-json "$out/runs/$prefix.json" >"$out/runs/$prefix.txt"; then
      echo "scenario '$name', seed $seed failed; its output is in $out/runs/$prefix.txt" >&2
      exit 1
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$scale $flags" "$seed" "runs/$prefix.json" >>"$out/runs.tsv"
    echo "  $name, seed $seed: $(( $(date +%s) - run_start )) s" >&2
  done
  i=$((i + 1))
done
"$qis" simulate --summarize-matrix "$out" >&2
echo "matrix wall time: $(( $(date +%s) - start )) s ($scale)" | tee -a "$out/matrix.md" >&2
