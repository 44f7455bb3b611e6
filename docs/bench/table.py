#!/usr/bin/env python3
"""The figures of `qis bench --json` runs side by side, as a Markdown table (one column per run).

    docs/bench/table.py docs/bench/n1e4.json docs/bench/n1e5.json
"""
import json
import sys


def ms(v):
    return f"{v:,.1f}" if v >= 10 else f"{v:.2f}"


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    head = ["figure"] + [f"N = {r['params']['packets']:,}" for r in runs]
    rows = []

    def row(name, fn):
        cells = []
        for r in runs:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        rows.append([name] + cells)

    row("load, records/s", lambda r: f"{r['load']['records_per_s']:,.0f}")
    row("**raw anchor**: read_committed consumer, records/s", lambda r: f"{r['raw_consumer']['records_per_s']:,.0f}")
    row("**verification limit**, records/s (ratio to raw)", lambda r: f"{r['verification_limit']['records_per_s']:,.0f} "
        f"({r['verification_limit']['records_per_s'] / r['raw_consumer']['records_per_s']:.2f})")
    row("verification limit, records per CPU-second", lambda r: f"{r['verification_limit']['records_per_cpu_s']:,.0f}")
    row("**app end to end**, packets/s (ratio to verification limit)",
        lambda r: f"**{r['end_to_end']['packets_per_s']:,.0f}** ({r['end_to_end']['ratio_to_verification_limit']:.3f})")
    row("app, packets per CPU-second of its threads (ratio to verification)",
        lambda r: f"{r['end_to_end']['packets_per_cpu_s']:,.0f} ({r['end_to_end']['cpu_ratio_to_verification_limit']:.3f})")
    row("freshness: rate, p50 / p99 ms", lambda r: f"{r['freshness']['rate']}/s: {ms(r['freshness']['p50_ms'])} / "
        f"{ms(r['freshness']['p99_ms'])}")
    for q in runs[0]["queries"]:
        kind, clients = q["kind"], q["clients"]

        def pick(r, kind=kind, clients=clients):
            return next(x for x in r["queries"] if x["kind"] == kind and x["clients"] == clients)
        row(f"{kind}, {clients} client{'s' if clients > 1 else ''}: app p50 / p99 / p99.9 ms",
            lambda r, p=pick: f"{ms(p(r)['app']['p50_ms'])} / {ms(p(r)['app']['p99_ms'])} / {ms(p(r)['app']['p999_ms'])}")
        row(f"… naive router p50 / p99 / p99.9 ms (naive p99 ÷ app p99)",
            lambda r, p=pick: f"{ms(p(r)['naive']['p50_ms'])} / {ms(p(r)['naive']['p99_ms'])} / "
                              f"{ms(p(r)['naive']['p999_ms'])} ({p(r)['naive_over_app_p99']:.2f})")
    row("heap used after GC / RSS, MiB (whole JVM)", lambda r: f"{r['resources']['heap_used_bytes'] / 2**20:,.0f} / "
        f"{r['resources']['rss_bytes'] / 2**20:,.0f}")
    row("state dir after close, MiB (bytes per packet)", lambda r: f"{r['resources']['state_dir_bytes'] / 2**20:,.1f} "
        f"({r['resources']['state_bytes_per_packet']:,.0f})")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
