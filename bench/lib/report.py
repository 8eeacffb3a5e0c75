#!/usr/bin/env python3
"""Turns a bench.py JSON result into the Markdown report (on standard output)."""

import json
import statistics
import sys
from collections import defaultdict


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def ms(us):
    return "–" if us is None else f"{us / 1000:.2f}"


def main():
    doc = json.load(open(sys.argv[1]))
    runs = doc["runs"]
    groups = defaultdict(list)
    for r in runs:
        groups[(r["server"], r["endpoint"], r["load"], r["connections"])].append(r)

    def by_round(server, endpoint, load, conns):
        return {r["round"]: r for r in groups.get((server, endpoint, load, conns), [])}

    def ratio(num, den, field):
        """Median over rounds of num/den, each pair measured in the same round."""
        a, b = by_round(*num), by_round(*den)
        vals = []
        for rnd in a:
            if rnd in b:
                x, y = field(a[rnd]), field(b[rnd])
                if x and y:
                    vals.append(x / y)
        return med(vals)

    rps = lambda r: r["rps"]
    p99 = lambda r: r["latency_us"]["p99"]
    s = doc["settings"]
    out = []
    w = out.append
    w(f"# podguard benchmark report ({doc['generated']})\n")
    if doc.get("note"):
        w(doc["note"] + "\n")
    w(f"Machine: {doc['machine']['cpus']} CPUs shared with the load generator, {doc['machine']['java']}; "
      f"load average at the end {', '.join(f'{x:.1f}' for x in doc['machine']['load_average_at_end'])}. "
      f"Review: {s['review_bytes']} bytes ({s.get('review', 'bench/reviews/pod-review.json')}). {s['rounds']} alternating rounds of "
      f"{s['duration_s']} s per measurement after {s['warmup_s']} s of warm-up per server and endpoint. "
      + (f"Load average (1 min) after each measurement: {min(r['load_average_1m'] for r in runs):.1f}–"
         f"{max(r['load_average_1m'] for r in runs):.1f}, median {med([r['load_average_1m'] for r in runs]):.1f}. "
         if all('load_average_1m' in r for r in runs) else "") +
      f"Medians over rounds; ratios are taken within each round, then the median.\n")

    # Targets
    conns = s["concurrency"]
    w("## Targets\n")
    w("| target | measured | goal | met |")
    w("| --- | --- | --- | --- |")
    def row(name, value, goal, ok):
        w(f"| {name} | {value} | {goal} | {'yes' if ok else ('–' if ok is None else '**no**')} |")
    for c in conns:
        v = ratio(("podguard", "validate", "wrk", c), ("trivial", "validate", "wrk", c), rps)
        row(f"/validate throughput ÷ trivial endpoint, {c} connections", fmt(v, 2), "≥ 0.90", None if v is None else v >= 0.9)
        m = ratio(("podguard", "mutate", "wrk", c), ("trivial", "validate", "wrk", c), rps)
        row(f"/mutate throughput ÷ trivial endpoint, {c} connections", fmt(m, 2), "≥ 0.80", None if m is None else m >= 0.8)
    for c in conns:
        v = ratio(("podguard", "validate", "wrk", c), ("upstream", "validate", "wrk", c), rps)
        row(f"/validate throughput ÷ upstream webhook, {c} connections", fmt(v, 2), "> 1", None if v is None else v > 1)
    rcs = s["rate_connections"] if isinstance(s["rate_connections"], list) else [s["rate_connections"]]
    for rc in rcs:
        for e in ("validate", "mutate"):
            v = med([p99(r) for r in groups.get(("podguard", e, "vegeta", rc), [])])
            row(f"/{e} p99 at {s['rate']}/s over {rc} connections (open loop)", f"{ms(v)} ms", "≤ 3 ms", None if v is None else v <= 3000)
    for rc in rcs:
        v = ratio(("podguard", "validate", "vegeta", rc), ("upstream", "validate", "vegeta", rc), p99)
        row(f"/validate p99 at {s['rate']}/s over {rc} connections ÷ upstream webhook", fmt(v, 2), "< 1", None if v is None else v < 1)
    sp = [r.get("server_p99_us") for r in runs if r["server"] == "podguard"]
    v = max([x for x in sp if x is not None], default=None)
    row("server-side handling p99 (histogram, worst run)", f"{ms(v)} ms", "≤ 1 ms", None if v is None else v <= 1000)
    for c in conns:
        for e in ("validate", "mutate"):
            if ("podguard-384m", e, "wrk", c) in groups:
                v = ratio(("podguard-384m", e, "wrk", c), ("podguard", e, "wrk", c), rps)
                row(f"384 MiB sizing ÷ default sizing, /{e}, {c} connections", fmt(v, 2), "≥ 0.90", None if v is None else v >= 0.9)
    peak = max([r["peak_rss_mib"] for r in runs if r["server"] == "podguard-384m"], default=None)
    if peak:
        row("peak RSS with 384 MiB sizing", f"{fmt(peak)} MiB", "< 384 MiB", peak < 384)
    for name in sorted({r["server"] for r in runs} - {"podguard", "podguard-384m", "trivial", "upstream"}):
        for c in conns:
            for e in ("validate", "mutate"):
                if (name, e, "wrk", c) in groups:
                    v = ratio((name, e, "wrk", c), ("podguard", e, "wrk", c), rps)
                    row(f"{name} ÷ podguard, /{e}, {c} connections", fmt(v, 2), "(A/B)", None)
    errors = sum(r["errors_total"] for r in runs if r["server"].startswith("podguard"))
    row("errors (podguard, all runs)", str(errors), "0", errors == 0)
    w("")

    w("## All measurements (medians over rounds)\n")
    w("Latency percentiles of the closed-loop (wrk) runs are shown for completeness only: wrk's own figures "
      "break Little's law here (mean latency × throughput far above the connection count), so every latency "
      "target above is judged on the open-loop (vegeta) runs.\n")
    w("| server | endpoint | load | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | server p99 ms | CPU µs/req | RSS MiB | errors | load average |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (server, endpoint, load, c), rs in groups.items():
        kind = "closed loop (wrk)" if load == "wrk" else f"{s['rate']}/s open loop (vegeta)"
        lat = lambda k: med([r["latency_us"][k] for r in rs])
        w(f"| {server} | /{endpoint} | {kind} | {c} | "
          f"{fmt(med([r['rps'] for r in rs]))} | {ms(lat('p50'))} | {ms(lat('p90'))} | {ms(lat('p99'))} | "
          f"{ms(max(r['latency_us']['max'] for r in rs))} | {ms(med([r.get('server_p99_us') for r in rs]))} | "
          f"{fmt(med([r['cpu_us_per_request'] for r in rs]))} | {fmt(max(r['rss_mib'] for r in rs))} | "
          f"{sum(r['errors_total'] for r in rs)} | {fmt(med([r.get('load_average_1m') for r in rs]), 1)} |")
    w("")
    w("## Per round (throughput, req/s)\n")
    rounds = sorted({r["round"] for r in runs})
    w("| server | endpoint | load | conns | " + " | ".join(f"round {n}" for n in rounds) + " |")
    w("| --- | --- | --- | --- | " + " | ".join("---" for _ in rounds) + " |")
    for (server, endpoint, load, c), rs in groups.items():
        br = {r["round"]: r for r in rs}
        w(f"| {server} | /{endpoint} | {load} | {c} | " + " | ".join(fmt(br[n]["rps"]) if n in br else "–" for n in rounds) + " |")
    w("")
    w("## Start-up and memory\n")
    w("| server | ready after (s, while the others start too) | RSS after the run (MiB) | peak RSS (MiB) |")
    w("| --- | --- | --- | --- |")
    for name, mem in doc["memory_after_load"].items():
        w(f"| {name} | {doc['startup_s'].get(name, '–')} | {fmt(mem['rss_mib'])} | {fmt(mem['peak_rss_mib'])} |")
    w("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
