#!/usr/bin/env bash
# End-to-end ingest rate on this machine: an in-process broker and one qis serve instance as separate processes,
# N generated packets (one node, 100 domains, 8 families) published by qis publish in one transaction, and the time
# until /v1/domains counts them all. Prints one line: packets, seconds from the first send, packets per second.
#   deploy/local/ingest-rate.sh [N]        (default 20000; QIS_REST_PORT picks the REST port, default 8090)
# The figure includes signing and sending by the publisher, which runs concurrently with the app on the same cores.
set -euo pipefail
n="${1:-20000}"
port="${QIS_REST_PORT:-8090}"
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
qis_local_init qis-ingest

awk -v n="$n" 'BEGIN {
  split("llama-3-8b mistral-7b qwen2-7b gemma-2-9b phi-3-mini llama-3-70b olmo-7b falcon-7b", fam, " ");
  split("LoRA QLoRA full-fine-tune DPO", method, " ");
  for (i = 0; i < n; i++) {
    printf "{\"base_model_family\": \"%s\", \"task\": \"bench-d%02d\", \"tags\": [\"t%d\"], \"data_scale\": %d, ", fam[i % 8 + 1], i % 100, i % 5, 500 + i % 20000;
    printf "\"benchmark\": \"bench-eval\", \"metric\": \"accuracy\", \"baseline_score\": 0.5, \"outcome_score\": %.4f, ", 0.45 + (i % 97) / 500;
    printf "\"method_type\": \"%s\", \"hyperparams\": {\"lora_r\": %d, \"learning_rate\": %.6f, \"seed\": %d}, ", method[i % 4 + 1], 2 ^ (i % 7), 0.00001 * (1 + i % 30), i;
    printf "\"n_eval_samples\": %d, \"confidence\": %.2f}\n", 100 + i % 900, 0.5 + (i % 50) / 100;
  }
}' > "$work/packets.jsonl"

qis_start_broker
qis_start_serve "$port" "$work/serve.log" QIS_STATE_DIR="$work/state"
qis_await_ready "$port" "$work/serve.log" "$serve_pid"
"$root/qis" keygen --out "$work/node.pem" >/dev/null
"$root/qis" register -b "$bootstrap" --key "$work/node.pem" >/dev/null
sleep 2 # the key reaches every instance's node table before the packets
counted() {
  curl -sf "http://localhost:$port/v1/domains" | grep -o '"packets":[0-9]*' | awk -F: '{s += $2} END {print s + 0}'
}
echo "broker $bootstrap, app http://localhost:$port; publishing $n packets..." >&2
start=$(date +%s.%N)
"$root/qis" publish -b "$bootstrap" --key "$work/node.pem" --timeout 5m --input "$work/packets.jsonl" >/dev/null
sent=$(date +%s.%N)
while [ "$(counted)" -lt "$n" ]; do
  sleep 0.2
  if awk -v s="$start" -v now="$(date +%s.%N)" 'BEGIN {exit !(now - s > 1800)}'; then
    echo "gave up after 30 minutes at $(counted) of $n packets" >&2; exit 1
  fi
done
done_at=$(date +%s.%N)
awk -v n="$n" -v s="$start" -v p="$sent" -v d="$done_at" 'BEGIN {
  printf "%d packets: published in %.1f s, all counted in /v1/domains after %.1f s: %.0f packets/s end to end\n", n, p - s, d - s, n / (d - s) }'
