#!/usr/bin/env python3
"""podguard at cluster scale (run through bench/scale.sh, which builds what is needed).

1. Starts the end-to-end tier's kube-apiserver and etcd (src/test/cluster/start-cluster.sh) with
   an audit policy that records every read at Metadata level (the loader's creates are left out).
2. Fills it with NAMESPACES x PODS pods, one in VIOLATING privileged (src/test/cluster/cmd/pod-loader).
3. One podguard replica (`serve --kubeconfig`, heap capped at HEAP): its first background audit,
   timed by podguard itself (/audit durationMillis), with the heap and resident memory polled every
   250 ms, the GC log, and the requests it made from the apiserver's audit log; the PolicyReports it
   wrote (count, largest object, time spent writing); then a second run over the same pods.
4. Two replicas: which one lists the pods, sweep by sweep, over SWEEPS intervals; the leader is
   killed (SIGKILL) and the other's takeover timed, by the clock and by the Lease's own times.

Python standard library only. Writes bench/results/scale-<time>.{json,md} and scale-latest.md.
"""

import argparse
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

AUDIT_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
  - level: None
    users: ["system:apiserver"]
  # The loader's creates are not podguard's requests.
  - level: None
    verbs: ["create"]
    resources:
      - group: ""
        resources: ["pods", "namespaces"]
  - level: Metadata
"""


def log(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except Exception:
        return None, ""


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def mib(b):
    return None if b is None else round(b / 1048576, 1)


class AuditLog:
    """The apiserver's audit log, read as it grows; podguard's requests, by replica."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.events = []

    def poll(self):
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n")
        if end < 0:
            return
        self.offset += end + 1
        for line in data[:end].split(b"\n"):
            if b"podguard/" not in line:
                continue
            e = json.loads(line)
            if e.get("stage") != "ResponseComplete":
                continue
            agent = e.get("userAgent", "")
            m = re.search(r"podguard/\S+ \(([^)]*)\)", agent)
            if not m:
                continue
            identity = m.group(1)
            ref = e.get("objectRef", {})
            self.events.append({
                "replica": identity.rsplit("_", 1)[0], "identity": identity, "verb": e.get("verb"),
                "resource": ref.get("resource", "") + ("/" + ref["subresource"] if ref.get("subresource") else ""),
                "namespaced": "namespace" in ref, "uri": e.get("requestURI", ""),
                "at": parse_time(e["requestReceivedTimestamp"]), "code": e.get("responseStatus", {}).get("code"),
            })

    def between(self, start, end, replica=None):
        self.poll()
        return [e for e in self.events if start <= e["at"] <= end and (replica is None or e["replica"] == replica)]

    def sweeps(self, replica=None):
        """The first page of every cluster-wide pod LIST: one per audit run."""
        self.poll()
        return [e for e in self.events if e["verb"] == "list" and e["resource"] == "pods" and not e["namespaced"]
                and "continue=" not in e["uri"] and (replica is None or e["replica"] == replica)]


class Podguard:
    def __init__(self, name, a, work, kubeconfig, policy, certs, interval):
        self.name = name
        self.port = free_port()
        self.mport = free_port()
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "podguard.log")
        cmd = [os.path.join(os.environ["JAVA_HOME"], "bin", "java"), f"-Xmx{a.heap}",
               f"-Xlog:gc:file={os.path.join(self.dir, 'gc.log')}",
               "-jar", os.path.join(a.root, "target/podguard.jar"), "serve",
               "--kubeconfig", kubeconfig, "--policy", policy,
               "--port", str(self.port), "--management-port", str(self.mport),
               "--tls-cert", os.path.join(certs, "tls.crt"), "--tls-key", os.path.join(certs, "tls.key"),
               "--podguard.events.enabled=false", "--podguard.audit.enabled=true", "--management.endpoint.audit.access=read-only",
               f"--podguard.audit.interval={interval}s", "--podguard.leader-election.namespace=podguard-bench",
               "--podguard.shutdown-drain-delay=0s"]
        env = dict(os.environ, POD_NAME=name, POD_NAMESPACE="podguard-bench")
        env.pop("KUBECONFIG", None)
        self.started = time.time()
        self.proc = subprocess.Popen(cmd, stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        self.peak_heap = 0
        self.peak_rss = 0

    def get(self, path):
        return http_get(f"http://127.0.0.1:{self.mport}{path}")

    def metric(self, name, labels=""):
        status, body = self.get("/metrics")
        if status != 200:
            return None
        total = None
        for m in re.finditer(r"(?m)^" + re.escape(name) + r"(\{[^}]*\})? (\S+)$", body):
            if labels in (m.group(1) or ""):
                total = (total or 0) + float(m.group(2))
        return total

    def heap_used(self):
        return self.metric("jvm_memory_used_bytes", 'area="heap"')

    def leads(self):
        return self.metric("podguard_leader") == 1

    def audit(self):
        status, body = self.get("/audit")
        return json.loads(body) if status == 200 else {}

    def sample(self):
        h = self.heap_used()
        if h:
            self.peak_heap = max(self.peak_heap, h)
        r = proc_status(self.proc.pid, "VmRSS")
        if r:
            self.peak_rss = max(self.peak_rss, r)

    def await_ready(self, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited {self.proc.returncode}; see {self.log}")
            if self.get("/readyz")[0] == 200:
                return
            time.sleep(0.2)
        raise SystemExit(f"{self.name} not ready in {timeout} s; see {self.log}")

    def gc_after(self):
        """The largest heap after a collection (the live set at its peak) and before one, from the GC log."""
        after = before = 0
        try:
            for line in open(os.path.join(self.dir, "gc.log")):
                m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)", line)
                if m:
                    before = max(before, int(m.group(1)))
                    after = max(after, int(m.group(2)))
        except OSError:
            pass
        return after, before

    def writing_ms(self):
        found = re.findall(r"\(writes took (\d+) ms in all\)", open(self.log).read())
        return [int(x) for x in found]

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def kubectl(a, env, *args, capture=True):
    out = subprocess.run([os.path.join(a.root, "target/e2e-bin/kubectl"), "--kubeconfig", env["KUBECONFIG"], *args],
                         check=True, capture_output=capture, text=True)
    return out.stdout


def start_cluster(a, work):
    cluster = a.keep_cluster or os.path.join(work, "cluster")
    env_file = os.path.join(cluster, "cluster.env")
    if a.keep_cluster and os.path.exists(env_file):
        log(f"reusing the cluster in {cluster}")
    else:
        policy = os.path.join(work, "audit-policy.yaml")
        with open(policy, "w") as f:
            f.write(AUDIT_POLICY)
        args = [os.path.join(a.root, "src/test/cluster/start-cluster.sh"), cluster, "--ttl=4h",
                f"--apiserver-arg=--audit-policy-file={policy}"]
        if not a.keep_cluster:
            args.append(f"--watch-pid={os.getpid()}")
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, PODGUARD_E2E_SKIP_BUILD="true"))
    env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)
    return cluster, env


def report_sizes(a, env):
    items = json.loads(kubectl(a, env, "get", "policyreports", "-A", "-o", "json"))["items"]
    sizes = sorted(len(json.dumps(i, separators=(",", ":")).encode()) for i in items)
    results = sum(len(i.get("results") or []) for i in items)
    per_ns = {}
    for i in items:
        per_ns[i["metadata"]["namespace"]] = per_ns.get(i["metadata"]["namespace"], 0) + 1
    return {"count": len(items), "namespaces": len(per_ns), "largestBytes": sizes[-1] if sizes else 0,
            "medianBytes": sizes[len(sizes) // 2] if sizes else 0, "totalBytes": sum(sizes), "results": results,
            "mostPerNamespace": max(per_ns.values()) if per_ns else 0}


def wait_run(pg, previous_finished, timeout=900):
    """Polls the heap and RSS until /audit shows a run that finished after previous_finished."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        pg.sample()
        doc = pg.audit()
        if doc.get("status") == "ok" and doc.get("finishedAt") and doc["finishedAt"] != previous_finished:
            return doc
        if pg.proc.poll() is not None:
            raise SystemExit(f"{pg.name} exited {pg.proc.returncode}; see {pg.log}")
        time.sleep(0.25)
    raise SystemExit(f"no audit finished in {timeout} s; see {pg.log}")


def requests_by_kind(events):
    out = {}
    for e in events:
        key = f"{e['verb']} {e['resource']}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--namespaces", type=int, default=1000)
    p.add_argument("--pods", type=int, default=100)
    p.add_argument("--violating", type=int, default=10)
    p.add_argument("--interval", type=int, default=90)
    p.add_argument("--sweeps", type=int, default=3)
    p.add_argument("--heap", default="256m")
    p.add_argument("--keep-cluster")
    p.add_argument("--render", help="only write the Markdown report of a JSON result again")
    a = p.parse_args()
    if a.render:
        with open(a.render) as f:
            md = markdown(json.load(f))
        with open(a.render[:-len(".json")] + ".md", "w") as f:
            f.write(md)
        print(md)
        return
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    work = os.path.join(a.root, "bench/results/tmp", f"scale-{stamp}")
    os.makedirs(work, exist_ok=True)
    result = {"when": stamp, "namespaces": a.namespaces, "podsPerNamespace": a.pods, "violatingOneIn": a.violating,
              "heapLimit": a.heap, "interval": a.interval, "cpus": os.cpu_count()}
    replicas = []
    cluster = None
    try:
        cluster, env = start_cluster(a, work)
        result["kubernetes"] = env.get("KUBERNETES_VERSION")
        audit_log = AuditLog(env["AUDIT_LOG"])
        kubectl(a, env, "apply", "-f", os.path.join(a.root, "charts/podguard/crds"))
        subprocess.run([os.path.join(a.root, "target/e2e-bin/kubectl"), "--kubeconfig", env["KUBECONFIG"], "create", "namespace",
                        "podguard-bench"], capture_output=True)

        log(f"loading {a.namespaces} x {a.pods} pods")
        loaded = subprocess.run([os.path.join(a.root, "target/e2e-bin/pod-loader"), "-kubeconfig", env["KUBECONFIG"],
                                 "-namespaces", str(a.namespaces), "-pods", str(a.pods), "-violating", str(a.violating)],
                                check=True, capture_output=True, text=True)
        result["load"] = json.loads(loaded.stdout)
        log(f"loaded: {result['load']}")
        expected = a.namespaces * a.pods
        violating = a.namespaces * ((a.pods + a.violating - 1) // a.violating) if a.violating else 0

        certs = os.path.join(work, "certs")
        subprocess.run([os.path.join(os.environ["JAVA_HOME"], "bin", "java"), "-jar", os.path.join(a.root, "target/podguard.jar"),
                        "certs", "-o", certs, "localhost", "127.0.0.1"], check=True, capture_output=True)
        policy = os.path.join(work, "policy.yaml")
        with open(policy, "w") as f:
            f.write("# enforce baseline, as the embedded default\nmode: enforce\npodSecurity: {level: baseline, version: latest}\n")

        # --- one replica: the full audit, then a second run over the same pods
        log("one replica: the first full audit")
        one = Podguard("scale-a", a, work, env["KUBECONFIG"], policy, certs, 3600)
        replicas.append(one)
        one.await_ready()
        cpu0 = cpu_seconds(one.proc.pid)
        first = wait_run(one, None)
        cpu1 = cpu_seconds(one.proc.pid)
        started = parse_time(first["startedAt"])
        sizes = report_sizes(a, env)
        gc_after, gc_before = one.gc_after()
        writing = one.writing_ms()
        result["firstRun"] = {
            "seconds": first["durationMillis"] / 1000, "pods": first["totals"]["pods"], "wouldBeDenied": first["totals"]["wouldBeDenied"],
            "expectedPods": expected, "expectedDenied": violating, "namespaces": first["totals"]["namespaces"],
            "cpuSeconds": round(cpu1 - cpu0, 1), "peakHeapMiB": mib(one.peak_heap), "maxHeapAfterGcMiB": gc_after,
            "maxHeapBeforeGcMiB": gc_before, "peakRssMiB": mib(one.peak_rss), "vmHwmMiB": mib(proc_status(one.proc.pid, "VmHWM")),
            "policyReports": first.get("policyReports"),
            "writingSeconds": writing[-1] / 1000 if writing else None, "reports": sizes}
        log(f"first run: {json.dumps(result['firstRun'])}")

        # The same policy again (a comment changed): a run that finds every report unchanged.
        with open(policy, "a") as f:
            f.write("# touched\n")
        one.peak_heap = one.peak_rss = 0
        second = wait_run(one, first["finishedAt"])
        s2 = parse_time(second["startedAt"])
        time.sleep(2)
        # Each run's requests: from its start to the next run's (the Lease's renewals, which go on all the time, apart).
        slack = datetime.timedelta(milliseconds=200)
        reqs = [e for e in audit_log.between(started - slack, s2 - slack, "scale-a") if e["resource"] != "leases"]
        reqs2 = [e for e in audit_log.between(s2 - slack, datetime.datetime.now(datetime.timezone.utc), "scale-a") if e["resource"] != "leases"]
        leases = [e for e in audit_log.between(started, s2, "scale-a") if e["resource"] == "leases"]
        result["firstRun"].update({"requests": requests_by_kind(reqs), "requestCount": len(reqs),
                                   "leaseRequestsPerMinute": round(len(leases) / max(1e-9, (s2 - started).total_seconds()) * 60, 1)})
        writing = one.writing_ms()
        result["secondRun"] = {"seconds": second["durationMillis"] / 1000, "policyReports": second.get("policyReports"),
                               "peakHeapMiB": mib(one.peak_heap), "peakRssMiB": mib(one.peak_rss), "requests": requests_by_kind(reqs2),
                               "requestCount": len(reqs2), "writingSeconds": writing[-1] / 1000 if writing else None}
        log(f"second run: {json.dumps(result['secondRun'])}")
        one.stop()
        replicas.remove(one)

        # --- two replicas: sweeps per interval, then the leader killed
        log(f"two replicas, interval {a.interval} s, {a.sweeps} sweeps")
        t0 = datetime.datetime.now(datetime.timezone.utc)
        b = Podguard("scale-b", a, work, env["KUBECONFIG"], policy, certs, a.interval)
        c = Podguard("scale-c", a, work, env["KUBECONFIG"], policy, certs, a.interval)
        replicas += [b, c]
        b.await_ready()
        c.await_ready()
        deadline = time.time() + (a.sweeps + 2) * (a.interval + 180)
        while time.time() < deadline and len([s for s in audit_log.sweeps() if s["at"] > t0]) < a.sweeps:
            b.sample()
            c.sample()
            time.sleep(1)
        leader = b if b.leads() else c
        other = c if leader is b else b
        sweeps = [s for s in audit_log.sweeps() if s["at"] > t0]
        gaps = [round((y["at"] - x["at"]).total_seconds(), 1) for x, y in zip(sweeps, sweeps[1:])]
        lease_before = json.loads(kubectl(a, env, "get", "lease", "-n", "podguard-bench", "podguard", "-o", "json"))
        result["twoReplicas"] = {
            "sweeps": len(sweeps), "sweepsBy": {r: len([s for s in sweeps if s["replica"] == r]) for r in ("scale-b", "scale-c")},
            "secondsBetweenSweeps": gaps, "leader": leader.name,
            "otherReplicaPodLists": len([e for e in audit_log.between(t0, datetime.datetime.now(datetime.timezone.utc), other.name)
                                         if e["resource"] == "pods"]),
            "firstSweepAfterStartSeconds": round((sweeps[0]["at"] - t0).total_seconds(), 1) if sweeps else None,
        }
        log(f"two replicas: {json.dumps(result['twoReplicas'])}")

        log(f"killing the leader {leader.name}")
        killed = time.time()
        kill_at = datetime.datetime.now(datetime.timezone.utc)
        leader.stop(signal.SIGKILL)
        last = json.loads(kubectl(a, env, "get", "lease", "-n", "podguard-bench", "podguard", "-o", "json"))
        while not other.leads():
            if time.time() - killed > 120:
                raise SystemExit("no takeover in 120 s")
            time.sleep(0.05)
        took = time.time() - killed
        taken = json.loads(kubectl(a, env, "get", "lease", "-n", "podguard-bench", "podguard", "-o", "json"))
        before_kill = [s for s in audit_log.sweeps() if s["at"] <= kill_at]
        deadline = time.time() + a.interval + 600
        after = []
        while time.time() < deadline and not after:
            after = [s for s in audit_log.sweeps() if s["at"] > kill_at]
            other.sample()
            time.sleep(1)
        result["takeover"] = {
            "seconds": round(took, 2),
            "leaseDurationSeconds": last["spec"]["leaseDurationSeconds"],
            "leaseGapSeconds": round((parse_time(taken["spec"]["acquireTime"]) - parse_time(last["spec"]["renewTime"])).total_seconds(), 2),
            "transitions": [lease_before["spec"].get("leaseTransitions"), taken["spec"].get("leaseTransitions")],
            "newLeader": other.name,
            "firstSweepAfterKill": {"by": after[0]["replica"], "secondsAfterPreviousSweep":
                                    round((after[0]["at"] - before_kill[-1]["at"]).total_seconds(), 1)} if after and before_kill else None,
            "deadLeaderRequestsAfterKill": len(audit_log.between(kill_at + datetime.timedelta(seconds=1),
                                                                 datetime.datetime.now(datetime.timezone.utc), leader.name)),
            "reportsAfter": report_sizes(a, env)["count"],
        }
        log(f"takeover: {json.dumps(result['takeover'])}")
        result["replicaPeakRssMiB"] = {r.name: mib(r.peak_rss) for r in (b, c)}
        result["replicaPeakHeapMiB"] = {r.name: mib(r.peak_heap) for r in (b, c)}
    finally:
        for r in replicas:
            r.stop()
        if cluster and not a.keep_cluster:
            subprocess.run([os.path.join(a.root, "src/test/cluster/stop-cluster.sh"), cluster], capture_output=True)

    out = os.path.join(a.root, "bench/results", f"scale-{stamp}")
    with open(out + ".json", "w") as f:
        json.dump(result, f, indent=2, default=str)
    md = markdown(result)
    with open(out + ".md", "w") as f:
        f.write(md)
    with open(os.path.join(a.root, "bench/results/scale-latest.md"), "w") as f:
        f.write(md)
    print(md)


def first_after(r):
    k = r["takeover"]["firstSweepAfterKill"]
    if not k:
        return "none seen"
    text = f"by {k['by']}, {k['secondsAfterPreviousSweep']} s after the sweep before the kill"
    if k["secondsAfterPreviousSweep"] < r["interval"]:
        text += (" (the leader was killed during that run, which never finished: the last finished run was an interval old, "
                 "so the new leader ran at once)")
    return text


def markdown(r):
    f, s, t, k = r["firstRun"], r["secondRun"], r["twoReplicas"], r["takeover"]
    rep = f["reports"]
    lines = [
        f"# podguard at cluster scale ({r['when']})",
        "",
        f"`bench/scale.sh` on {r['cpus']} CPUs shared by kube-apiserver {r.get('kubernetes')}, etcd and podguard: "
        f"{r['namespaces']:,} namespaces x {r['podsPerNamespace']} pods, one in {r['violatingOneIn']} privileged "
        f"(loaded by `pod-loader` in {r['load']['seconds']:.0f} s, {r['load']['podsPerSecond']:.0f} pods/s). podguard: "
        f"`serve --kubeconfig`, `-Xmx{r['heapLimit']}`, enforce baseline, PolicyReports on.",
        "",
        "## One full background audit",
        "",
        "| | first run | second run (nothing changed) |",
        "| --- | --- | --- |",
        f"| time (podguard's `durationMillis`) | **{f['seconds']:.1f} s** | {s['seconds']:.1f} s |",
        f"| pods judged / would be denied | {f['pods']:,} / {f['wouldBeDenied']:,} (expected {f['expectedPods']:,} / {f['expectedDenied']:,}) | same |",
        f"| podguard CPU | {f['cpuSeconds']} s | |",
        f"| peak heap used (polled every 250 ms) | **{f['peakHeapMiB']} MiB** | {s['peakHeapMiB']} MiB |",
        f"| largest heap after a GC (live data) | {f['maxHeapAfterGcMiB']} MiB | |",
        f"| peak resident memory (VmHWM of the process so far) | {f['vmHwmMiB']} MiB | {s['peakRssMiB']} MiB (polled) |",
        f"| apiserver requests | {f['requestCount']:,} | {s['requestCount']:,} |",
        f"| PolicyReports | {f['policyReports']} | {s['policyReports']} |",
        f"| PolicyReport writes: time of all requests added up (4 writers, while the listing goes on) | {f['writingSeconds']} s | {s['writingSeconds']} s |",
        f"| what writing them added to the run (first run − second run) | {f['seconds'] - s['seconds']:.1f} s | |",
        "",
        "Requests of the first run, from the apiserver's audit log (podguard's user agent; the Lease's renewals apart: "
        f"{f['leaseRequestsPerMinute']} a minute):",
        "",
        "| request | count |",
        "| --- | --- |",
    ]
    lines += [f"| `{key}` | {n:,} |" for key, n in f["requests"].items()]
    lines += [
        "",
        "Second run: " + ", ".join(f"`{key}` {n:,}" for key, n in s["requests"].items()) + ".",
        "",
        "## The PolicyReports",
        "",
        f"{rep['count']:,} reports in {rep['namespaces']:,} namespaces (at most {rep['mostPerNamespace']} in one), {rep['results']:,} results; "
        f"largest object **{rep['largestBytes'] / 1024:.1f} KiB**, median {rep['medianBytes'] / 1024:.1f} KiB, "
        f"{rep['totalBytes'] / 1048576:.1f} MiB in all (as JSON).",
        "",
        "## Two replicas",
        "",
        f"Interval {r['interval']} s. {t['sweeps']} LIST sweeps (first pages of a cluster-wide pod list) in the apiserver's audit "
        f"log: {t['sweepsBy']} — all by the leader ({t['leader']}); the other replica listed pods {t['otherReplicaPodLists']} times. "
        f"Seconds between sweeps: {t['secondsBetweenSweeps']} (interval + the run itself). The first sweep came "
        f"{t['firstSweepAfterStartSeconds']} s after the two started: an interval after the single replica's last run, "
        "not at once.",
        "",
        "| leader killed (SIGKILL) | |",
        "| --- | --- |",
        f"| takeover, by the clock (kill → the other's `podguard_leader` 1) | **{k['seconds']} s** |",
        f"| lease duration (a leader killed just after renewing keeps the Lease this long; the others try every 2 s, jittered up to 4.4 s) | {k['leaseDurationSeconds']} s |",
        f"| the Lease's own times: dead leader's last renewal → new leader's acquisition | {k['leaseGapSeconds']} s |",
        f"| lease transitions before / after | {k['transitions']} |",
        f"| first sweep after the kill | {first_after(r)} |",
        f"| requests from the dead leader after the kill | {k['deadLeaderRequestsAfterKill']} |",
        f"| PolicyReports after the takeover | {k['reportsAfter']:,} |",
        "",
        f"Peak resident memory of the two replicas: {r['replicaPeakRssMiB']}; peak heap {r['replicaPeakHeapMiB']}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
