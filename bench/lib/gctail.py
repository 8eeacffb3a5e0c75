#!/usr/bin/env python3
"""What a JVM's pauses explain: reads a unified JVM log written with
`-Xlog:gc*,safepoint:file=F:time,uptime,level,tags` and prints its collections and safepoints
(count, total and longest pause, the share of the window they stopped the JVM); with vegeta's
results it also says how many of the slowest requests (the tail above a percentile) overlapped
a safepoint, and what the percentile is without them.

  gctail.py JVM.log [--from ISO --to ISO]              # pauses, whole log or a wall-clock window
  gctail.py JVM.log --vegeta results.bin [--vegeta-bin target/bench-bin/vegeta] [--percentile 99]
"""
import argparse
import csv
import datetime
import io
import re
import subprocess

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("--vegeta", help="vegeta attack results (any encoding): correlate the tail with the safepoints")
p.add_argument("--vegeta-bin", default="target/bench-bin/vegeta")
p.add_argument("--percentile", type=float, default=99.0)
p.add_argument("--from", dest="since", help="ISO time: only pauses from then")
p.add_argument("--to", dest="until", help="ISO time: only pauses until then")
a = p.parse_args()

LINE = re.compile(r"^\[(?P<time>[^\]]+)\]\[(?P<up>[0-9.]+)s\]\[(?P<level>\w+)\s*\]\[(?P<tags>[^\]]+)\]\s*(?P<msg>.*)$")
SAFEPOINT = re.compile(r'Safepoint "(?P<op>[^"]+)".*Reaching safepoint: (?P<reach>\d+) ns.*At safepoint: (?P<at>\d+) ns.*Total: (?P<total>\d+) ns')
PAUSE = re.compile(r"^GC\(\d+\) (?P<what>Pause .*?) (?P<heap>\d+M->\d+M\(\d+M\)) (?P<ms>[0-9.]+)ms$")


def when(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


since = when(a.since) if a.since else None
until = when(a.until) if a.until else None
safepoints = []  # (start, end, op) in epoch seconds
pauses = []  # (end, kind, heap, ms)
first = last = None
for raw in open(a.log, errors="replace"):
    m = LINE.match(raw.rstrip("\n"))
    if not m:
        continue
    t = when(m["time"])
    if (since and t < since) or (until and t > until):
        continue
    first = t if first is None else first
    last = t
    msg = m["msg"]
    s = SAFEPOINT.search(msg)
    if s and "safepoint" in m["tags"]:
        total = int(s["total"]) / 1e9
        safepoints.append((t - total, t, s["op"]))
        continue
    g = PAUSE.match(msg)
    if g and m["tags"].strip() == "gc":
        pauses.append((t, g["what"].strip(), g["heap"], float(g["ms"])))

window = (last - first) if first is not None else 0.0
print(f"log: {a.log}; window {window:.1f} s")
if pauses:
    ms = sorted(x[3] for x in pauses)
    kinds = sorted({x[1] for x in pauses})
    print(f"- collections: {len(pauses)} ({', '.join(kinds)}); pause total {sum(ms):.1f} ms, "
          f"median {ms[len(ms) // 2]:.2f} ms, longest {ms[-1]:.2f} ms; "
          f"{sum(ms) / 10 / max(window, 1e-9):.2f} % of the window; heap at the last: {pauses[-1][2]}")
else:
    print("- collections: none")
if safepoints:
    lengths = sorted((e - s) * 1e3 for s, e, _ in safepoints)
    ops = {}
    for s, e, op in safepoints:
        ops[op] = ops.get(op, 0) + 1
    print(f"- safepoints: {len(safepoints)} ({', '.join(f'{k} {v}' for k, v in sorted(ops.items(), key=lambda x: -x[1]))}); "
          f"stopped {sum(lengths):.1f} ms in all, {sum(lengths) / 10 / max(window, 1e-9):.2f} % of the window, "
          f"longest {lengths[-1]:.2f} ms")

if a.vegeta:
    out = subprocess.run([a.vegeta_bin, "encode", "--to", "csv", a.vegeta], check=True, capture_output=True, text=True).stdout
    reqs = []
    for row in csv.reader(io.StringIO(out)):
        start = int(row[0]) / 1e9
        reqs.append((start, start + int(row[2]) / 1e9, int(row[2]) / 1e6, row[1]))
    if not reqs:
        raise SystemExit("no requests in " + a.vegeta)
    lat = sorted(r[2] for r in reqs)
    cut = lat[min(len(lat) - 1, int(len(lat) * a.percentile / 100))]
    tail = [r for r in reqs if r[2] >= cut]
    sp = sorted(safepoints)

    def overlaps(r):
        lo, hi = r[0], r[1]
        return any(s <= hi and e >= lo for s, e, _ in sp)

    hit = [r for r in tail if overlaps(r)]
    clean = sorted(r[2] for r in reqs if not overlaps(r))
    cut_clean = clean[min(len(clean) - 1, int(len(clean) * a.percentile / 100))] if clean else float("nan")
    any_hit = sum(1 for r in reqs if overlaps(r))
    t0, t1 = reqs[0][0], max(r[1] for r in reqs)
    in_window = [(s, e) for s, e, _ in sp if e >= t0 and s <= t1]
    stopped = sum(min(e, t1) - max(s, t0) for s, e in in_window)
    print(f"- requests: {len(reqs)} over {t1 - t0:.1f} s; p{a.percentile:g} {cut:.2f} ms, the {len(tail)} at or above it: "
          f"{len(hit)} overlapped a safepoint ({100 * len(hit) / len(tail):.0f} %); of all requests {any_hit} "
          f"({100 * any_hit / len(reqs):.1f} %) overlapped one; safepoints stopped the JVM {stopped * 1e3:.1f} ms "
          f"({100 * stopped / max(t1 - t0, 1e-9):.2f} %) of the attack; p{a.percentile:g} of the requests that overlapped none: "
          f"{cut_clean:.2f} ms")
