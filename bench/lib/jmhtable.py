#!/usr/bin/env python3
"""A JMH JSON result (-rf json) as a Markdown table."""
import json
import sys

rows = json.load(open(sys.argv[1]))
print("| benchmark | µs/op | ± (99.9%) | samples |")
print("| --- | --- | --- | --- |")
for r in rows:
    m = r["primaryMetric"]
    name = r["benchmark"].rsplit(".", 2)
    print(f"| {name[-2]}.{name[-1]} | {m['score']:.2f} | {m['scoreError']:.2f} | {len(m.get('rawData', [[]])[0])} |")
