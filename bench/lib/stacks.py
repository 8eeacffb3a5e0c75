#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks (recorded with `threads`): CPU by thread group,
hottest frames by self and by total time, optionally only for threads whose name contains --thread.

  stacks.py PROFILE.collapsed [--thread podguard-review] [--top 30] [--match io.podguard]
"""
import argparse
import collections
import re

p = argparse.ArgumentParser()
p.add_argument("profile")
p.add_argument("--thread", default="")
p.add_argument("--top", type=int, default=30)
p.add_argument("--match", default="", help="total-time table: only frames containing this")
a = p.parse_args()

by_thread = collections.Counter()
self_c = collections.Counter()
total_c = collections.Counter()
n = 0
for line in open(a.profile):
    stack, _, count = line.rstrip("\n").rpartition(" ")
    count = int(count)
    frames = stack.split(";")
    thread = re.sub(r" tid=\d+", "", frames[0].strip("[]"))
    group = re.sub(r"[0-9]+", "#", thread)
    by_thread[group] += count
    if a.thread and a.thread not in thread:
        continue
    n += count
    frames = frames[1:]
    if frames:
        self_c[frames[-1]] += count
    for f in set(frames):
        if a.match in f:
            total_c[f] += count
all_samples = sum(by_thread.values())
print(f"{all_samples} samples; {n} in the selected threads\n")
print("| % of all | thread group |\n| --- | --- |")
for t, c in by_thread.most_common(12):
    print(f"| {100 * c / all_samples:.1f} | `{t}` |")
print("\n| % self | frame |\n| --- | --- |")
for f, c in self_c.most_common(a.top):
    print(f"| {100 * c / max(n, 1):.1f} | `{f}` |")
print("\n| % total | frame |\n| --- | --- |")
for f, c in total_c.most_common(a.top):
    print(f"| {100 * c / max(n, 1):.1f} | `{f}` |")
