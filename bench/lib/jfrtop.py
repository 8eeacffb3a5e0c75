#!/usr/bin/env python3
"""Summarises the CPU samples of a JFR recording: hottest methods by self time and by total time.

  jfrtop.py RECORDING.jfr [--top N] [--filter PREFIX]
"""
import argparse
import collections
import json
import subprocess

p = argparse.ArgumentParser()
p.add_argument("recording")
p.add_argument("--jfr", default="jfr")
p.add_argument("--top", type=int, default=25)
p.add_argument("--depth", type=int, default=256)
p.add_argument("--callers", help="also list who calls methods whose name contains this")
a = p.parse_args()

out = subprocess.run([a.jfr, "print", "--json", "--stack-depth", str(a.depth), "--events", "jdk.ExecutionSample",
                      a.recording], capture_output=True, text=True, check=True).stdout
events = json.loads(out)["recording"]["events"]
self_counts = collections.Counter()
total_counts = collections.Counter()
for e in events:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    names = []
    for f in frames:
        m = f["method"]
        names.append(f'{m["type"]["name"].replace("/", ".")}.{m["name"]}')
    if not names:
        continue
    self_counts[names[0]] += 1
    for n in set(names):
        total_counts[n] += 1
n = len(events)
print(f"{n} CPU samples\n")
print(f"## Hottest methods (self)\n\n| % | method |\n| --- | --- |")
for name, c in self_counts.most_common(a.top):
    print(f"| {100 * c / n:.1f} | `{name}` |")
print(f"\n## Hottest methods (total, podguard, Jackson, fabric8, Tomcat, TLS)\n\n| % | method |\n| --- | --- |")
shown = 0
for name, c in total_counts.most_common():
    if any(name.startswith(p) for p in ("io.podguard", "tools.jackson", "io.fabric8", "org.apache.coyote",
                                         "org.apache.catalina", "org.apache.tomcat.util.net", "sun.security.ssl",
                                         "io.micrometer", "org.springframework")) and "$$Lambda" not in name:
        print(f"| {100 * c / n:.1f} | `{name}` |")
        shown += 1
        if shown >= a.top * 2:
            break

if a.callers:
    # Who calls the given method (self samples only): the first frame outside java.*, per sample.
    callers = collections.Counter()
    for e in events:
        frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
        names = [f'{f["method"]["type"]["name"].replace("/", ".")}.{f["method"]["name"]}' for f in frames]
        if names and a.callers in names[0]:
            first = next((n for n in names[1:] if not n.startswith(("java.", "jdk.", "sun."))), "?")
            callers[first] += 1
    print(f"\n## Callers of {a.callers} (self samples, first frame outside the JDK)\n\n| samples | caller |\n| --- | --- |")
    for name, c in callers.most_common(a.top):
        print(f"| {c} | `{name}` |")
