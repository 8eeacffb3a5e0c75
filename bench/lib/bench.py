#!/usr/bin/env python3
"""podguard's load benchmark: starts the servers, drives them in alternating rounds, writes a report.

Run through bench/run.sh (which builds what is needed and passes the paths in). Python standard
library only. Everything it starts listens on 127.0.0.1 and is stopped before it exits.
"""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def insecure_tls():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def http_status(url, body=None, timeout=2.0):
    try:
        req = urllib.request.Request(url, data=body, method="POST" if body else "GET",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout, context=insecure_tls() if url.startswith("https") else None) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return None


def cpu_seconds(pid):
    """utime + stime of a process and its reaped children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime is field 14, stime 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mib": round(out.get("VmRSS", 0), 1), "peak_rss_mib": round(out.get("VmHWM", 0), 1)}


# ---------------------------------------------------------------------------------------------
# Servers


class Server:
    def __init__(self, name, cmd, port, ready_url, ready_body=None, env=None, metrics_url=None, workdir=None):
        self.name = name
        self.cmd = cmd
        self.port = port
        self.ready_url = ready_url
        self.ready_body = ready_body
        self.env = env
        self.metrics_url = metrics_url
        self.workdir = workdir
        self.proc = None
        self.startup_s = None

    def start(self, timeout=240):
        logf = open(os.path.join(self.workdir, f"{self.name}.log"), "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=logf, stderr=subprocess.STDOUT, env=self.env,
                                     start_new_session=True)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {logf.name}")
            if http_status(self.ready_url, self.ready_body, timeout=1.0) == 200:
                self.startup_s = time.monotonic() - t0
                log(f"{self.name} ready in {self.startup_s:.2f} s (pid {self.proc.pid})")
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {logf.name}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def url(self, path):
        return f"https://127.0.0.1:{self.port}{path}"


def podguard_cmd(a, port, mport, extra_jvm=(), extra_args=(), jar=None):
    return [a.java, *a.jvm_opts.split(), *extra_jvm, "-jar", jar or a.jar, "serve",
            f"--port={port}", f"--management-port={mport}",
            f"--tls-cert={a.certs}/tls.crt", f"--tls-key={a.certs}/tls.key",
            "--logging.level.root=WARN", *extra_args]


def make_servers(a, wanted):
    servers = {}
    jars = {}
    review = open(a.review, "rb").read()
    for name in wanted:
        port = free_port()
        if name.startswith("podguard"):
            mport = free_port()
            extra_jvm, extra_args = [], []
            if name == "podguard-384m":
                # Sized as in a container with a 384 MiB limit: the JVM sees 384 MiB of RAM.
                extra_jvm = ["-XX:MaxRAM=384m", "-XX:MaxRAMPercentage=60", "-XX:+UseSerialGC",
                             "-XX:ReservedCodeCacheSize=64m", "-Xss512k"]
            elif name == "podguard-unbounded":
                extra_args = ["--podguard.max-concurrent-reviews=100000"]
            elif name == "podguard-bound2":
                extra_args = ["--podguard.max-concurrent-reviews=2"]
            elif name == "podguard-platform":
                extra_args = ["--spring.threads.virtual.enabled=false"]
            elif name in a.variants:
                # JVM flags (-X…) go to the JVM, the rest to podguard.
                for arg in a.variants[name].split():
                    if arg.startswith("JAR="):
                        jars[name] = arg[4:]
                        continue
                    (extra_jvm if arg.startswith("-X") or arg.startswith("-D") else extra_args).append(arg)
            servers[name] = Server(name, podguard_cmd(a, port, mport, extra_jvm, extra_args, jars.get(name, a.jar)), port,
                                   f"http://127.0.0.1:{mport}/readyz",
                                   metrics_url=f"http://127.0.0.1:{mport}/metrics", workdir=a.work)
        elif name.startswith("trivial"):
            virtual = "false" if name == "trivial-platform" else "true"
            cmd = [a.java, *a.jvm_opts.split(), "-jar", a.trivial_jar, f"--server.port={port}",
                   f"--bench.cert={a.certs}/tls.crt", f"--bench.key={a.certs}/tls.key",
                   f"--spring.threads.virtual.enabled={virtual}"]
            servers[name] = Server(name, cmd, port, f"https://127.0.0.1:{port}/validate", ready_body=review,
                                   workdir=a.work)
        elif name == "upstream":
            cmd = [a.upstream_bin, "--bind-address=127.0.0.1", f"--secure-port={port}",
                   f"--kubeconfig={a.kubeconfig}", f"--config={a.upstream_config}",
                   f"--tls-cert-file={a.certs}/tls.crt", f"--tls-private-key-file={a.certs}/tls.key",
                   "--disable-http2-serving", "--v=0"]
            servers[name] = Server(name, cmd, port, f"https://127.0.0.1:{port}/readyz", workdir=a.work)
        else:
            raise SystemExit(f"unknown server {name}")
    return servers


# ---------------------------------------------------------------------------------------------
# Load


def scrape_histogram(metrics_url, webhook):
    """Cumulative bucket counts of podguard_admission_review_duration_seconds for one webhook."""
    with urllib.request.urlopen(metrics_url, timeout=5) as r:
        text = r.read().decode()
    buckets = {}
    pattern = re.compile(r'^podguard_admission_review_duration_seconds_bucket\{([^}]*)\}\s+([0-9.eE+]+)', re.M)
    for labels, value in pattern.findall(text):
        lab = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if lab.get("webhook") != webhook:
            continue
        le = float("inf") if lab["le"] == "+Inf" else float(lab["le"])
        buckets[le] = float(value)
    return buckets


def histogram_quantile(q, before, after):
    """Prometheus' histogram_quantile over the increase between two scrapes, in microseconds."""
    les = sorted(after)
    counts = [after[le] - before.get(le, 0.0) for le in les]
    total = counts[-1] if counts else 0
    if total <= 0:
        return None
    rank = q * total
    prev_le, prev_count = 0.0, 0.0
    for le, c in zip(les, counts):
        if c >= rank:
            if le == float("inf"):
                return round(prev_le * 1e6, 1)
            return round((prev_le + (le - prev_le) * (rank - prev_count) / max(c - prev_count, 1e-9)) * 1e6, 1)
        prev_le, prev_count = le, c
    return None


def run_wrk(a, server, path, conns, duration):
    env = dict(os.environ, REVIEW=a.review)
    threads = min(conns, 2)
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "10s", "-s", a.lua,
           server.url(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration + 60)
    for line in out.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            r = json.loads(line[len("WRK_JSON "):])
            r["rps"] = round(r["requests"] / (r["duration_us"] / 1e6), 1)
            r["errors_total"] = sum(r["errors"].values())
            return r
    raise RuntimeError(f"wrk printed no figures: {out.stdout}\n{out.stderr}")


def run_vegeta(a, server, path, rate, conns, duration):
    targets = os.path.join(a.work, "vegeta-targets.txt")
    with open(targets, "w") as f:
        f.write(f"POST {server.url(path)}\nContent-Type: application/json\n@{a.review}\n")
    attack = subprocess.Popen([a.vegeta, "attack", f"-targets={targets}", f"-rate={rate}/s", f"-duration={duration}s",
                               f"-connections={conns}", f"-max-connections={conns}", "-workers=25",
                               "-insecure", "-http2=false", "-keepalive=true", "-timeout=10s"],
                              stdout=subprocess.PIPE)
    report = subprocess.run([a.vegeta, "report", "-type=json"], stdin=attack.stdout, capture_output=True,
                            text=True, timeout=duration + 120)
    attack.wait()
    v = json.loads(report.stdout)
    lat = v["latencies"]
    errors = v.get("errors") or []
    ok = v["status_codes"].get("200", 0)
    return {
        "requests": v["requests"], "rate": round(v["rate"], 1), "rps": round(v["throughput"], 1),
        "errors_total": v["requests"] - ok, "error_messages": errors[:3],
        "latency_us": {"min": round(lat["min"] / 1e3), "mean": round(lat["mean"] / 1e3, 1), "p50": round(lat["50th"] / 1e3),
                       "p90": round(lat["90th"] / 1e3), "p99": round(lat["99th"] / 1e3), "max": round(lat["max"] / 1e3)},
    }


def measure(a, server, endpoint, kind, conns, duration):
    path = f"/{endpoint}?timeout=10s"
    hist_before = scrape_histogram(server.metrics_url, endpoint) if server.metrics_url else None
    cpu_before = cpu_seconds(server.proc.pid)
    if kind == "wrk":
        r = run_wrk(a, server, path, conns, duration)
    else:
        r = run_vegeta(a, server, path, a.rate, conns, duration)
    cpu = cpu_seconds(server.proc.pid) - cpu_before
    r["server_cpu_s"] = round(cpu, 2)
    r["cpu_us_per_request"] = round(cpu * 1e6 / r["requests"], 1) if r["requests"] else None
    r.update(rss_mib(server.proc.pid))
    r["load_average_1m"] = round(os.getloadavg()[0], 2)
    if hist_before is not None:
        after = scrape_histogram(server.metrics_url, endpoint)
        r["server_p50_us"] = histogram_quantile(0.50, hist_before, after)
        r["server_p99_us"] = histogram_quantile(0.99, hist_before, after)
    return r


# ---------------------------------------------------------------------------------------------


def plan(a):
    """(server, endpoint, load kind, connections) in the order of one round."""
    runs = []
    for conns in a.concurrency:
        for s in a.servers:
            endpoints = ["validate", "mutate"] if s.startswith("podguard") and s in a.mutate_servers else ["validate"]
            for e in endpoints:
                runs.append((s, e, "wrk", conns))
    for conns in a.rate_connections:
        for s in a.rate_servers:
            endpoints = ["validate", "mutate"] if s.startswith("podguard") and s in a.mutate_servers else ["validate"]
            for e in endpoints:
                runs.append((s, e, "vegeta", conns))
    for s in a.overload_servers:
        runs.append((s, "validate", "wrk", a.overload_connections))
    return runs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--java", required=True)
    p.add_argument("--jvm-opts", default="")
    p.add_argument("--jar", required=True)
    p.add_argument("--trivial-jar", required=True)
    p.add_argument("--upstream-bin")
    p.add_argument("--kubeconfig")
    p.add_argument("--upstream-config")
    p.add_argument("--vegeta")
    p.add_argument("--certs", required=True)
    p.add_argument("--review", required=True)
    p.add_argument("--lua", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True, help="report path without extension")
    p.add_argument("--servers", default="trivial,podguard,upstream")
    p.add_argument("--mutate-servers", default="podguard,podguard-384m")
    p.add_argument("--rate-servers", default="trivial,podguard,upstream")
    p.add_argument("--overload-servers", default="")
    p.add_argument("--concurrency", default="4,25")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--rate", type=int, default=2000)
    p.add_argument("--rate-connections", default="4,25")
    p.add_argument("--overload-connections", type=int, default=200)
    p.add_argument("--note", default="")
    p.add_argument("--variant", action="append", default=[],
                   help="NAME=ARGS: another podguard server (NAME starts with podguard-) with these flags")
    a = p.parse_args()
    split = lambda s: [x for x in s.split(",") if x]
    a.servers, a.mutate_servers = split(a.servers), split(a.mutate_servers)
    a.variants = dict(v.split("=", 1) for v in a.variant)
    a.rate_servers = split(a.rate_servers) if a.vegeta else []
    a.overload_servers = split(a.overload_servers)
    a.concurrency = [int(c) for c in split(a.concurrency)]
    a.rate_connections = [int(c) for c in split(a.rate_connections)]
    every = list(dict.fromkeys(a.servers + a.rate_servers + a.overload_servers))
    os.makedirs(a.work, exist_ok=True)

    servers = make_servers(a, every)
    started = []
    try:
        for s in servers.values():
            s.start()
            started.append(s)
        runs = plan(a)
        log(f"warm-up: {a.warmup} s per server and endpoint")
        for s, e, _, _ in dict.fromkeys((s, e, None, None) for s, e, _, _ in runs):
            run_wrk(a, servers[s], f"/{e}?timeout=10s", 25, a.warmup)
        results = []
        for rnd in range(1, a.rounds + 1):
            # Alternate the order between rounds so no server always follows the same neighbour.
            order = runs if rnd % 2 else list(reversed(runs))
            for s, e, kind, conns in order:
                r = measure(a, servers[s], e, kind, conns, a.duration)
                r.update(round=rnd, server=s, endpoint=e, load=kind, connections=conns)
                results.append(r)
                log(f"round {rnd} {s:18} /{e:8} {kind:6} c={conns:<3} {r['rps']:>8} req/s  "
                    f"p50 {r['latency_us']['p50']} µs  p99 {r['latency_us']['p99']} µs  errors {r['errors_total']}  "
                    f"cpu/req {r['cpu_us_per_request']} µs  rss {r['rss_mib']} MiB  load {r['load_average_1m']}"
                    + (f"  server p99 {r.get('server_p99_us')} µs" if 'server_p99_us' in r else ""))
        idle = {name: rss_mib(s.proc.pid) for name, s in servers.items()}
    finally:
        for s in reversed(started):
            s.stop()

    doc = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "note": a.note,
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg(),
                    "java": subprocess.run([a.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]},
        "settings": {"rounds": a.rounds, "duration_s": a.duration, "warmup_s": a.warmup,
                     "concurrency": a.concurrency, "rate": a.rate, "rate_connections": a.rate_connections,
                     "overload_connections": a.overload_connections, "jvm_opts": a.jvm_opts,
                     "review_bytes": os.path.getsize(a.review), "review": os.path.relpath(a.review)},
        "startup_s": {name: round(s.startup_s, 2) for name, s in servers.items() if s.startup_s},
        "memory_after_load": idle,
        "runs": results,
    }
    with open(a.out + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    log(f"wrote {a.out}.json")


if __name__ == "__main__":
    main()
