#!/usr/bin/env python3
"""A JMH JSON result (-rf json) as a Markdown table (with bytes allocated per op under -prof gc)."""
import json
import sys

rows = json.load(open(sys.argv[1]))
gc = any("gc.alloc.rate.norm" in r.get("secondaryMetrics", {}) for r in rows)
print("| benchmark | µs/op | ± (99.9%) |" + (" allocated B/op |" if gc else ""))
print("| --- | --- | --- |" + (" --- |" if gc else ""))
for r in rows:
    m = r["primaryMetric"]
    name = r["benchmark"].rsplit(".", 2)
    err = m["scoreError"]
    err = f"{err:.2f}" if isinstance(err, (int, float)) and err == err else "–"
    line = f"| {name[-2]}.{name[-1]} | {m['score']:.2f} | {err} |"
    if gc:
        a = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        line += f" {a['score']:,.0f} |" if a else " – |"
    print(line)
