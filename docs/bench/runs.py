#!/usr/bin/env python3
"""One Markdown row per end-to-end run (each instance count) of `qis bench --json` files, for comparing builds.

    docs/bench/runs.py main1=/tmp/main1.json this1=/tmp/this1.json ...

Each argument is LABEL=FILE; the rows keep the order given. Columns: the verification limit of the same run, the
app's end-to-end rate and its ratio to that limit, and the app's packets per CPU-second of its threads beside the
verification limit's records per CPU-second.
"""
import json
import sys


def main(args):
    print("| run | instances | verification limit, records/s | end to end, packets/s (ratio) "
          "| packets per app CPU-second (ratio to verification per CPU-second) | RUNNING → all stored, s |")
    print("|---|---|---|---|---|---|")
    for arg in args:
        label, path = arg.split("=", 1)
        r = json.load(open(path))
        v = r["verification_limit"]
        for s in r.get("scale_out") or [r["end_to_end"]]:
            print(f"| {label} | {s.get('instances', 1)} | {v['records_per_s']:,.0f} "
                  f"| {s['packets_per_s']:,.0f} ({s['ratio_to_verification_limit']:.3f}) "
                  f"| {s['packets_per_cpu_s']:,.0f} ({s['cpu_ratio_to_verification_limit']:.3f}) "
                  f"| {s['seconds']:,.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
