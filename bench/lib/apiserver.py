#!/usr/bin/env python3
"""podguard's end-to-end benchmark: pod creates through a real kube-apiserver, four ways.

Run through bench/apiserver.sh, which builds what is needed and passes the paths in. Python
standard library only; the load itself comes from `create-load` (src/test/cluster/cmd/create-load), a
client-go program. One cluster (kube-apiserver + etcd on loopback, the end-to-end tier's), one
namespace per configuration:

  none      no webhook, the built-in PodSecurity plugin exempts the namespace
  podguard  podguard's MutatingWebhookConfiguration and ValidatingWebhookConfiguration as the chart
            renders them (failurePolicy, timeouts, rules), pointed at podguard on loopback
  upstream  the upstream pod-security-webhook registered with its own manifest
  psa       the apiserver's built-in PodSecurity admission plugin

podguard, the upstream webhook and the plugin all judge at the same level: enforce baseline, audit
and warn restricted, latest (podguard's embedded default). Each round measures every
configuration at saturation (closed loop) and at a fixed rate (open loop, half the no-webhook
saturation rate measured after the warm-up); the order is reversed every other round.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import re  # noqa: E402
import threading  # noqa: E402
import urllib.request  # noqa: E402
from bench import CLK_TCK, Server, cpu_seconds, free_port, insecure_tls, log, rss_mib  # noqa: E402

CONFIGS = ["none", "podguard", "upstream", "psa"]
# podguard under async-profiler: an extra run after the rounds, in no figure (profiling costs CPU).
PROFILE_ROUND = -1


def create_load(a, *args, timeout=600):
    out = subprocess.run([a.create_load, *args, "-kubeconfig", a.kubeconfig], capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"create-load {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def pids(a, servers):
    p = {"kube-apiserver": a.apiserver_pid, "etcd": a.etcd_pid}
    p.update({name: s.proc.pid for name, s in servers.items()})
    return p


def thread_cpu(pid):
    """CPU seconds of a process's threads, summed by thread name with the digits taken out."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        name = re.sub(r"[0-9]+", "#", raw[raw.index("(") + 1:raw.rindex(")")])
        fields = raw.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def established(port):
    """TCP connections established to a local port (the webhook's), from /proc/net/tcp{,6}."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        n += 1
        except OSError:
            pass
    return n


class ConnectionSampler(threading.Thread):
    """The most connections established to `port` in any of the samples taken every 0.2 s while it runs:
    an HTTP/1.1 client opens one per request in flight, so a peak far above the client's idle pool (25
    for kube-apiserver's webhook client) means connections were opened, TLS handshake and all, and closed again."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.peak, self.stopped = port, 0, threading.Event()

    def run(self):
        while not self.stopped.wait(0.2):
            self.peak = max(self.peak, established(self.port))

    def stop(self):
        self.stopped.set()
        self.join()
        return self.peak


def cpu_all(p):
    return {name: cpu_seconds(pid) for name, pid in p.items()}


def apiserver_pprof(a, path, seconds):
    """A CPU profile of kube-apiserver (Go's pprof, --profiling=true) while a measurement runs."""
    req = urllib.request.Request(f"{a.apiserver_url}/debug/pprof/profile?seconds={seconds}",
                                 headers={"Authorization": f"Bearer {a.admin_token}"})
    with urllib.request.urlopen(req, timeout=seconds + 30, context=insecure_tls()) as r, open(path, "wb") as f:
        f.write(r.read())


def agent(a, pid, options):
    """async-profiler attached to a running JVM (jcmd JVMTI.agent_load)."""
    jcmd = os.path.join(os.path.dirname(a.java), "jcmd")
    subprocess.run([jcmd, str(pid), "JVMTI.agent_load", a.profiler, f'"{options}"'], capture_output=True, check=True,
                   timeout=60)


def measure(a, servers, config, mode, rate, rnd):
    ns = f"bench-{config}"
    p = pids(a, servers)
    before = cpu_all(p)
    threads_before = thread_cpu(p["podguard"]) if "podguard" in p else {}
    load_before = os.getloadavg()[0]
    pprof = None
    if a.apiserver_profile and rnd == 1 and mode == "saturation":
        pprof = threading.Thread(target=apiserver_pprof, args=(a, os.path.join(a.work, f"apiserver-{config}.pprof"),
                                                               max(a.duration - 1, 1)))
        pprof.start()
    profile = a.profiler and config == "podguard" and rnd == PROFILE_ROUND
    if profile:
        agent(a, p["podguard"], "start,event=cpu,interval=1ms,threads")
    sampler = ConnectionSampler(servers[config].port) if config in servers else None
    if sampler:
        sampler.start()
    t0 = time.monotonic()
    args = ["load", "-namespace", ns, "-pod", a.pod, "-prefix", f"r{rnd}-{mode[:3]}-",
            "-duration", f"{a.duration}s", "-workers", str(a.workers)]
    if mode == "fixed-rate":
        args += ["-rate", str(rate)]
    r = json.loads(create_load(a, *args))
    wall = time.monotonic() - t0
    after = cpu_all(p)
    if sampler:
        r["webhook_connections_peak"] = sampler.stop()
        r["webhook_connections_after"] = established(servers[config].port)
    if pprof:
        pprof.join()
        r["apiserver_profile"] = os.path.join(a.work, f"apiserver-{config}.pprof")
    if profile:
        r["profile"] = os.path.join(a.work, f"podguard-{mode}.collapsed")
        agent(a, p["podguard"], f"stop,file={r['profile']},collapsed")
    created = max(r["created"], 1)
    r["cpu_us_per_create"] = {name: round((after[name] - before[name]) * 1e6 / created, 1) for name in p}
    r["cpu_share"] = {name: round((after[name] - before[name]) / wall, 3) for name in p}
    if "podguard" in p:
        # Where podguard's CPU went (threads by name): JFR samples only Java code.
        after_t = thread_cpu(p["podguard"])
        per = {n: (after_t[n] - threads_before.get(n, 0)) * 1e6 / created for n in after_t}
        r["podguard_threads_us_per_create"] = {n: round(v, 1) for n, v in sorted(per.items(), key=lambda kv: -kv[1])[:8] if v > 0}
    r["rss_mib"] = {name: rss_mib(pid)["rss_mib"] for name, pid in p.items()}
    r.update(round=rnd, config=config, load_average_1m_before=round(load_before, 2),
             load_average_1m_after=round(os.getloadavg()[0], 2))
    t1 = time.monotonic()
    create_load(a, "clean", "-namespace", ns)
    r["clean_s"] = round(time.monotonic() - t1, 1)
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--java", required=True)
    p.add_argument("--jar", required=True)
    p.add_argument("--podguard-jvm", default="")
    p.add_argument("--podguard-args", default="")
    p.add_argument("--create-load", required=True)
    p.add_argument("--upstream-bin", required=True)
    p.add_argument("--upstream-config", required=True)
    p.add_argument("--upstream-manifest", required=True)
    p.add_argument("--chart-manifests", required=True)
    p.add_argument("--cluster-env", required=True)
    p.add_argument("--certs", required=True)
    p.add_argument("--pod", required=True)
    p.add_argument("--review", required=True, help="an AdmissionReview for the direct warm-up")
    p.add_argument("--warmup-reviews", default="",
                   help="endpoint=FILE,…: the direct warm-up's reviews (default: --review on /mutate and /validate)")
    p.add_argument("--lua", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--workers", type=int, default=32)
    p.add_argument("--rate", type=float, default=0, help="fixed rate; 0: half the no-webhook saturation rate")
    p.add_argument("--note", default="")
    p.add_argument("--apiserver-profile", action="store_true", help="pprof CPU profiles of kube-apiserver, first round")
    p.add_argument("--profiler", default="", help="libasyncProfiler.so: profile podguard in an extra run after the rounds")
    a = p.parse_args()
    a.configs = [c for c in a.configs.split(",") if c]
    env = dict(line.strip().split("=", 1) for line in open(a.cluster_env) if "=" in line)
    a.kubeconfig = env["KUBECONFIG"]
    a.apiserver_pid, a.etcd_pid = int(env["APISERVER_PID"]), int(env["ETCD_PID"])
    a.apiserver_url = env["APISERVER_URL"]
    a.admin_token = open(env["ADMIN_TOKEN_FILE"]).read().strip()

    servers = {}
    pg_port, pg_mport, up_port = free_port(), free_port(), free_port()
    if "podguard" in a.configs:
        cmd = [a.java, *a.podguard_jvm.split(), "-jar", a.jar, "serve", f"--port={pg_port}",
               f"--management-port={pg_mport}", f"--tls-cert={a.certs}/tls.crt", f"--tls-key={a.certs}/tls.key",
               "--logging.level.root=WARN", *a.podguard_args.split()]
        servers["podguard"] = Server("podguard", cmd, pg_port, f"http://127.0.0.1:{pg_mport}/readyz",
                                     env=dict(os.environ, KUBECONFIG=a.kubeconfig),
                                     metrics_url=f"http://127.0.0.1:{pg_mport}/metrics", workdir=a.work)
    if "upstream" in a.configs:
        # HTTP/1.1 only: the apiserver speaks HTTP/1.1 to every webhook reached through a Service
        # (k8s.io/apiserver's webhook client; kubernetes/kubernetes#75791) and would use HTTP/2 only because the
        # URL here is on loopback. podguard serves HTTP/1.1 in any case.
        cmd = [a.upstream_bin, "--bind-address=127.0.0.1", f"--secure-port={up_port}",
               f"--kubeconfig={a.kubeconfig}", f"--config={a.upstream_config}",
               f"--tls-cert-file={a.certs}/tls.crt", f"--tls-private-key-file={a.certs}/tls.key",
               "--disable-http2-serving", "--v=0"]
        servers["upstream"] = Server("upstream", cmd, up_port, f"https://127.0.0.1:{up_port}/readyz", workdir=a.work)
    started = []
    results = []
    rate = a.rate

    def write(partial):
        doc = {
            "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "note": a.note + (" (partial: the run stopped early)" if partial else ""),
            "machine": {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg(),
                        "java": subprocess.run([a.java, "-version"], capture_output=True, text=True).stderr.splitlines()[0],
                        "kubernetes": env.get("KUBERNETES_VERSION")},
            "settings": {"rounds": a.rounds, "duration_s": a.duration, "warmup_s": a.warmup, "workers": a.workers,
                         "fixed_rate": rate, "configs": a.configs, "podguard_jvm": a.podguard_jvm,
                         "podguard_args": a.podguard_args, "pod_bytes": os.path.getsize(a.pod)},
            "startup_s": {name: round(s.startup_s, 2) for name, s in servers.items() if s.startup_s},
            "podguard_metrics": metrics,
            "runs": results,
        }
        with open(a.out + ".json", "w") as f:
            json.dump(doc, f, indent=1)

    metrics = {}
    try:
        for s in servers.values():
            s.start()
            started.append(s)
        setup = ["setup"]
        if "podguard" in servers:
            setup += ["-podguard-manifests", a.chart_manifests, "-podguard-url", f"https://127.0.0.1:{pg_port}",
                      "-podguard-ca", f"{a.certs}/ca.crt"]
        if "upstream" in servers:
            setup += ["-upstream-manifest", a.upstream_manifest, "-upstream-url", f"https://127.0.0.1:{up_port}",
                      "-upstream-ca", f"{a.certs}/ca.crt"]
        create_load(a, *setup)
        # Every configuration enforces baseline (a privileged pod is denied) except "none".
        for c in a.configs:
            log(create_load(a, "probe", "-namespace", f"bench-{c}", "-expect", "allowed" if c == "none" else "denied").strip())
        if "podguard" in servers:
            # The JIT must be done before anything is measured: at a few hundred creates per second
            # that takes minutes, so podguard's endpoints get the HTTP load benchmark's warm-up first.
            # The reviews the apiserver sends (managedFields, every defaulted field, UPDATE with
            # oldObject), so that the JIT compiles for the shape it will see.
            warm = [w.split("=", 1) for w in a.warmup_reviews.split(",") if w] or [("mutate", a.review), ("validate", a.review)]
            log(f"warm-up: podguard {', '.join(f'/{e} with {os.path.basename(f)}' for e, f in warm)}, {a.warmup} s each with wrk")
            for e, review in warm:
                subprocess.run(["wrk", "-t2", "-c8", f"-d{a.warmup}s", "-s", a.lua, servers["podguard"].url(f"/{e}?timeout=10s")],
                               env=dict(os.environ, REVIEW=review), capture_output=True, check=True, timeout=a.warmup + 60)
        log(f"warm-up: {a.warmup} s at saturation per configuration")
        for c in a.configs:
            create_load(a, "load", "-namespace", f"bench-{c}", "-pod", a.pod, "-prefix", "warm-",
                    "-duration", f"{a.warmup}s", "-workers", str(a.workers))
            create_load(a, "clean", "-namespace", f"bench-{c}")
        if not rate and "none" in a.configs:
            cal = measure(a, servers, "none", "saturation", 0, 0)
            results.append(cal)
            rate = round(cal["creates_per_s"] / 2)
            log(f"calibration: no webhook {cal['creates_per_s']:.0f} creates/s at saturation -> fixed rate {rate}/s")
        for rnd in range(1, a.rounds + 1):
            order = a.configs if rnd % 2 else list(reversed(a.configs))
            for c in order:
                for mode in (["saturation", "fixed-rate"] if rnd % 2 else ["fixed-rate", "saturation"]):
                    if mode == "fixed-rate" and not rate:
                        continue
                    r = measure(a, servers, c, mode, rate, rnd)
                    results.append(r)
                    write(partial=True)
                    lat = r["latency_ms"]
                    log(f"round {rnd} {c:9} {mode:10} {r['creates_per_s']:8.1f} creates/s  p50 {lat['p50']:.2f} "
                        f"p99 {lat['p99']:.2f} max {lat['max']:.1f} ms  errors {r['errors']}  late {r['late']}  "
                        f"warnings {r['warnings']}  load {r['load_average_1m_after']}  "
                        + (f"connections peak {r['webhook_connections_peak']}  " if "webhook_connections_peak" in r else "")
                        + f"cpu µs/create {r['cpu_us_per_create']}"
                        + (f"  podguard threads {r['podguard_threads_us_per_create']}" if c == "podguard" else ""))
        if a.profiler and "podguard" in a.configs:
            for mode in ("saturation", "fixed-rate"):
                r = measure(a, servers, "podguard", mode, rate, PROFILE_ROUND)
                results.append(r)
                log(f"profile of podguard, {mode}: {r['profile']}")
        if "podguard" in servers:
            with open(os.path.join(a.work, "podguard-metrics.txt"), "w") as f:
                with urllib.request.urlopen(servers["podguard"].metrics_url, timeout=5) as m:
                    text = m.read().decode()
                f.write(text)
            metrics["podguard_requests"] = [l for l in text.splitlines()
                                            if l.startswith("podguard_admission_requests_total")]
    finally:
        for s in reversed(started):
            s.stop()

    write(partial=False)
    log(f"wrote {a.out}.json")


if __name__ == "__main__":
    main()
