#!/usr/bin/env python3
"""Fixed-rate reviews at a running podguard with vegeta (the apiserver's review shapes by default); podguard's CPU per review by thread
(/proc/PID/task) and context switches per review. One JSON line.

  lowrate.py --pid PID --url https://127.0.0.1:PORT [--rate 700] [--duration 10] [--connections 25]
"""
import argparse, base64, json, os, re, subprocess, tempfile, time
CLK = os.sysconf("SC_CLK_TCK")
def threads(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            raw = open(f"/proc/{pid}/task/{t}/stat").read()
        except OSError:
            continue
        name = re.sub(r"[0-9]+", "#", raw[raw.index("(") + 1:raw.rindex(")")])
        f = raw.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(f[11]) + int(f[12])) / CLK
    return out
def ctx(pid):
    v = n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in open(f"/proc/{pid}/task/{t}/status"):
                if line.startswith("voluntary_ctxt_switches"): v += int(line.split()[1])
                if line.startswith("nonvoluntary_ctxt_switches"): n += int(line.split()[1])
        except OSError:
            pass
    return v, n
p = argparse.ArgumentParser()
p.add_argument("--pid", type=int, required=True); p.add_argument("--url", required=True)
p.add_argument("--rate", type=int, default=700); p.add_argument("--duration", type=int, default=10)
p.add_argument("--reviews", default="mutate=bench/reviews/apiserver-mutate.json,validate=bench/reviews/apiserver-validate.json")
p.add_argument("--connections", type=int, default=25)
p.add_argument("--vegeta", default="target/bench-bin/vegeta")
a = p.parse_args()
targets = []
for spec in a.reviews.split(","):
    ep, path = spec.split("=")
    targets.append(json.dumps({"method": "POST", "url": f"{a.url}/{ep}?timeout=5s", "header": {"Content-Type": ["application/json"]},
                               "body": base64.b64encode(open(path, "rb").read()).decode()}))
tf = os.path.join(tempfile.mkdtemp(), "targets.jsonl")
open(tf, "w").write("\n".join(targets) + "\n")
t0, c0, x0, l0 = threads(a.pid), time.time(), ctx(a.pid), os.getloadavg()[0]
att = subprocess.run([a.vegeta, "attack", "-format=json", "-targets", tf, "-rate", f"{a.rate}/s", "-duration", f"{a.duration}s",
                      "-insecure", "-http2=false", "-connections", str(a.connections), "-max-connections", str(a.connections), "-timeout", "10s"],
                     capture_output=True, check=True)
wall = time.time() - c0
t1, x1 = threads(a.pid), ctx(a.pid)
rep = json.loads(subprocess.run([a.vegeta, "report", "-type=json"], input=att.stdout, capture_output=True, check=True).stdout)
n = rep["requests"]
per = {k: (t1[k] - t0.get(k, 0)) * 1e6 / n for k in t1}
tot = sum(per.values())
lat = rep["latencies"]
print(json.dumps({"rate": a.rate, "requests": n, "success": rep["success"], "codes": rep["status_codes"],
  "p50_ms": lat["50th"] / 1e6, "p90_ms": lat["90th"] / 1e6, "p99_ms": lat["99th"] / 1e6, "max_ms": lat["max"] / 1e6,
  "cpu_us_per_review": round(tot, 1), "ctx_switches_per_review": [round((x1[0]-x0[0]) / n, 2), round((x1[1]-x0[1]) / n, 2)],
  "load": [round(l0, 2), round(os.getloadavg()[0], 2)],
  "threads": {k: round(v, 1) for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v > 0.5}}, indent=None))
