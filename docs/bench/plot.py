#!/usr/bin/env python3
"""Query latency against N for the app and the naive router, from `qis bench --json` files, as an SVG.

    docs/bench/plot.py docs/bench/n1e4.json docs/bench/n1e5.json > docs/images/query-latency-vs-n.svg

Log-log axes; p99 with one client, top-k and domain synthesis. Standard library only.
"""
import json
import math
import sys

W, H, L, R, T, B = 640, 400, 70, 190, 30, 50
SERIES = [("top", "app", "#1f77b4", ""), ("domain synthesis", "app", "#2ca02c", ""),
          ("top", "naive", "#1f77b4", "6,4"), ("domain synthesis", "naive", "#2ca02c", "6,4")]


def points(runs, kind, router):
    out = []
    for run in runs:
        n = run["params"]["packets"]
        for q in run["queries"]:
            if q["kind"] == kind and q["clients"] == 1:
                out.append((n, q[router]["p99_ms"]))
    return sorted(out)


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    series = [(kind, router, colour, dash, points(runs, kind, router)) for kind, router, colour, dash in SERIES]
    xs = [x for *_, pts in series for x, _ in pts]
    ys = [y for *_, pts in series for _, y in pts if y > 0]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)) + 1e-9)
    x1 = max(x1, x0 + 1)
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)) + 1e-9)
    y1 = max(y1, y0 + 1)

    def px(x):
        return L + (math.log10(x) - x0) / (x1 - x0) * (W - L - R)

    def py(y):
        return H - B - (math.log10(max(y, 10 ** y0)) - y0) / (y1 - y0) * (H - T - B)

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="18" font-size="14">Query latency p99, 1 client, against packets held (log-log)</text>']
    for e in range(x0, x1 + 1):
        x = px(10 ** e)
        s.append(f'<line x1="{x}" y1="{T}" x2="{x}" y2="{H - B}" stroke="#ddd"/>')
        s.append(f'<text x="{x}" y="{H - B + 16}" text-anchor="middle">10^{e}</text>')
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        s.append(f'<line x1="{L}" y1="{y}" x2="{W - R}" y2="{y}" stroke="#ddd"/>')
        s.append(f'<text x="{L - 6}" y="{y + 4}" text-anchor="end">{10 ** e:g} ms</text>')
    s.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">packets (N)</text>')
    for i, (kind, router, colour, dash, pts) in enumerate(series):
        if not pts:
            continue
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        s.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for x, y in pts:
            s.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = T + 20 + i * 20
        s.append(f'<line x1="{W - R + 15}" y1="{ly}" x2="{W - R + 45}" y2="{ly}" stroke="{colour}" stroke-width="2" '
                 f'stroke-dasharray="{dash}"/>')
        s.append(f'<text x="{W - R + 50}" y="{ly + 4}">{kind}, {"app" if router == "app" else "naive router"}</text>')
    s.append("</svg>")
    print("\n".join(s))


if __name__ == "__main__":
    main(sys.argv[1:])
