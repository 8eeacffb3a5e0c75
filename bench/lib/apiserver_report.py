#!/usr/bin/env python3
"""Turns a bench/lib/apiserver.py JSON result into the Markdown report (on standard output)."""

import json
import statistics
import sys
from collections import defaultdict

NAMES = {
    "none": "no webhook",
    "podguard": "podguard (chart's mutating + validating webhooks)",
    "upstream": "upstream pod-security-webhook",
    "psa": "built-in PodSecurity plugin",
}


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


def main():
    doc = json.load(open(sys.argv[1]))
    runs = [r for r in doc["runs"] if r["round"] > 0]
    s = doc["settings"]
    groups = defaultdict(dict)
    for r in runs:
        groups[(r["config"], r["mode"])][r["round"]] = r

    def ratio(num, den, mode, field):
        a, b = groups.get((num, mode), {}), groups.get((den, mode), {})
        vals = [field(a[n]) / field(b[n]) for n in a if n in b and field(b[n])]
        return med(vals), vals

    def diff(num, den, mode, field):
        a, b = groups.get((num, mode), {}), groups.get((den, mode), {})
        vals = [field(a[n]) - field(b[n]) for n in a if n in b]
        return med(vals), vals

    cps = lambda r: r["creates_per_s"]
    p99 = lambda r: r["latency_ms"]["p99"]
    p50 = lambda r: r["latency_ms"]["p50"]
    out = []
    w = out.append
    w(f"# podguard end-to-end benchmark: pod creates through kube-apiserver ({doc['generated']})\n")
    if doc.get("note"):
        w(doc["note"] + "\n")
    loads = [r["load_average_1m_after"] for r in runs]
    w(f"Machine: {doc['machine']['cpus']} CPUs shared by kube-apiserver {doc['machine'].get('kubernetes')}, etcd, "
      f"the webhooks and the load generator; {doc['machine']['java']}. Load average (1 min) after each "
      f"measurement: {fmt(min(loads), 1)}–{fmt(max(loads), 1)}, median {fmt(med(loads), 1)}. "
      f"Pod: {s['pod_bytes']} bytes of JSON. {s['rounds']} rounds of {s['duration_s']} s per measurement, order "
      f"reversed every other round, after {s['warmup_s']} s of warm-up per configuration. Saturation: "
      f"{s['workers']} concurrent creates (client-go, one HTTP/2 connection). Fixed rate: {fmt(s['fixed_rate'])} "
      f"creates/s (half the no-webhook saturation rate), latency counted from when each create was due. "
      f"Medians over rounds; ratios and differences are taken within each round, then the median.\n")

    w("## Targets\n")
    w("| target | measured (per round) | goal | met |")
    w("| --- | --- | --- | --- |")

    def row(name, v, vals, goal, ok, digits=2, unit=""):
        per = ", ".join(fmt(x, digits) for x in vals)
        w(f"| {name} | {fmt(v, digits)}{unit} ({per}) | {goal} | "
          f"{'–' if ok is None else ('yes' if ok else '**no**')} |")

    v, vals = ratio("podguard", "none", "saturation", cps)
    row("creates/s at saturation, podguard ÷ no webhook", v, vals, "≥ 0.85", None if v is None else v >= 0.85)
    v, vals = ratio("podguard", "upstream", "saturation", cps)
    row("creates/s at saturation, podguard ÷ upstream webhook", v, vals, "≥ 1", None if v is None else v >= 1)
    v, vals = diff("podguard", "none", "fixed-rate", p99)
    row(f"p99 create latency added by podguard at {fmt(s['fixed_rate'])}/s", v, vals, "≤ 2 ms",
        None if v is None else v <= 2, unit=" ms")
    errors = sum(r["errors"] for r in runs)
    w(f"| errors (all runs) | {errors} | 0 | {'yes' if errors == 0 else '**no**'} |")
    w("")

    w("## Every configuration (medians over rounds)\n")
    w("| configuration | load | creates/s | p50 ms | p90 ms | p99 ms | max ms | p50 / p99 added ms | "
      "CPU µs per create: apiserver / etcd / webhook | webhook connections, peak | errors | late |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode in ("saturation", "fixed-rate"):
        for c in s["configs"]:
            rs = list(groups.get((c, mode), {}).values())
            if not rs:
                continue
            lat = lambda k: med([r["latency_ms"][k] for r in rs])
            cpu = lambda n: med([r["cpu_us_per_create"].get(n) for r in rs])
            added = "–"
            if c != "none":
                a50, _ = diff(c, "none", mode, p50)
                a99, _ = diff(c, "none", mode, p99)
                added = f"{fmt(a50, 2)} / {fmt(a99, 2)}"
            hook = fmt(cpu(c)) if c in ("podguard", "upstream") else "–"
            peaks = [r["webhook_connections_peak"] for r in rs if "webhook_connections_peak" in r]
            conns = fmt(max(peaks)) if peaks else "–"
            label = "saturation" if mode == "saturation" else f"{fmt(s['fixed_rate'])}/s"
            w(f"| {NAMES[c]} | {label} | {fmt(med([r['creates_per_s'] for r in rs]))} | {lat('p50'):.2f} | "
              f"{lat('p90'):.2f} | {lat('p99'):.2f} | {max(r['latency_ms']['max'] for r in rs):.1f} | {added} | "
              f"{fmt(cpu('kube-apiserver'))} / {fmt(cpu('etcd'))} / {hook} | {conns} | {sum(r['errors'] for r in rs)} | "
              f"{sum(r['late'] for r in rs)} |")
    w("")
    w("## Per round\n")
    w("| round | configuration | load | creates/s | p50 ms | p99 ms | load average before → after |")
    w("| --- | --- | --- | --- | --- | --- | --- |")
    for r in doc["runs"]:
        if r["round"] < 0:
            continue  # the profiled run, in no figure
        w(f"| {r['round'] or 'calibration'} | {r['config']} | {r['mode']} | {r['creates_per_s']:,.0f} | "
          f"{r['latency_ms']['p50']:.2f} | {r['latency_ms']['p99']:.2f} | "
          f"{r['load_average_1m_before']:.1f} → {r['load_average_1m_after']:.1f} |")
    w("")
    if doc.get("podguard_metrics", {}).get("podguard_requests"):
        w("podguard's own count of the reviews it answered (`podguard_admission_requests_total` at the end):\n")
        w("```")
        out.extend(doc["podguard_metrics"]["podguard_requests"])
        w("```")
    print("\n".join(out))


if __name__ == "__main__":
    main()
