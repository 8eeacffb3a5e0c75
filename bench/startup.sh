#!/usr/bin/env bash
# Start-up of the server: seconds from process start to `/readyz` 200, and how fast the first
# reviews after that are answered, for
#   launcher   bin/podguard serve: the extracted jar with the server's AOT cache (podguard.aot),
#              which the build trains by running `serve` through the request path (AotTraining serve)
#   no cache   the same extracted jar and JVM flags without the cache
#   plain jar  java -jar target/podguard.jar (a jar of jars, no cache)
# each started as the chart starts it: `serve --policy` on the chart's default policy file, the
# serving certificate given as files (the chart's helm, secret and cert-manager modes), both ports.
#   bench/startup.sh [RUNS]      (default 7 runs of each, alternating)
# Writes bench/results/startup-<UTC time>.{json,md}. The machine's load average is recorded beside
# the figures: other work on the same two cores shows up directly in a start-up time, so run it
# alone: nothing else running on the machine.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
RUNS=${1:-7}
STAMP=$(date -u +%Y%m%d-%H%M)
WORK="$ROOT/bench/results/tmp/startup-$STAMP"
mkdir -p "$WORK"
[[ -f target/podguard/podguard.aot && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package
[[ -f target/podguard/podguard.aot ]] || { echo "startup: target/podguard/podguard.aot is missing (built without -Dpodguard.launcher.skip?)" >&2; exit 1; }
"$JAVA" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null
POLICY="$ROOT/charts/podguard/files/default-policy.yaml"
ARGS=(--policy="$POLICY" --tls-cert="$WORK/certs/tls.crt" --tls-key="$WORK/certs/tls.key")
# The flags bin/podguard gives `serve`, for the two starts that do not go through it.
FLAGS=(--sun-misc-unsafe-memory-access=allow -XX:+ExitOnOutOfMemoryError -Dspring.aot.enabled=true)
REVIEW="$ROOT/bench/reviews/pod-review.json"

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# One start: prints "ready-seconds cpu-seconds first-review-ms median-of-next-20-ms".
start() {
  local port mport pid t0 t1 cpu first rest
  port=$(free_port); mport=$(free_port)
  t0=$(date +%s%N)
  "$@" serve --port="$port" --management-port="$mport" "${ARGS[@]}" > "$WORK/run.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz"; do
    kill -0 $pid 2>/dev/null || { echo "startup: podguard exited; see $WORK/run.log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  cpu=$(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat")
  # What Ready promises: reviews answered at once. The first, then 20 more (one connection each, as
  # a new apiserver connection would be).
  post() {
    curl -s -o /dev/null -w '%{time_total}\n' --cacert "$WORK/certs/ca.crt" -H 'Content-Type: application/json' \
      --data-binary @"$REVIEW" "https://localhost:$port/validate"
  }
  first=$(post)
  rest=$(for _ in $(seq 20); do post; done | sort -n | sed -n 10p)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $cpu $first $rest"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_before=$(uptime)
: > "$WORK/runs.txt"
for i in $(seq "$RUNS"); do
  # Alternating, so that all three see the same machine.
  echo "launcher $(start bin/podguard)" >> "$WORK/runs.txt"
  echo "no-cache $(start "$JAVA" "${FLAGS[@]}" -jar target/podguard/podguard.jar)" >> "$WORK/runs.txt"
  echo "plain-jar $(start "$JAVA" "${FLAGS[@]}" -jar target/podguard.jar)" >> "$WORK/runs.txt"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_after=$(uptime)

python3 - "$WORK/runs.txt" "$ROOT/bench/results/startup-$STAMP" "$RUNS" "$load_before" "$load_after" \
    "$uptime_before" "$uptime_after" "$(nproc)" "$("$JAVA" -version 2>&1 | head -1)" <<'PY'
import json, statistics, sys
runs, out, n, lb, la, ub, ua, cpus, java = sys.argv[1:]
names = {"launcher": "bin/podguard serve (extracted jar + server AOT cache)",
         "no-cache": "extracted jar, no cache", "plain-jar": "java -jar target/podguard.jar"}
data = {k: {"ready_s": [], "cpu_s": [], "first_review_ms": [], "next_reviews_median_ms": []} for k in names}
for line in open(runs):
    k, ready, cpu, first, rest = line.split()
    d = data[k]
    d["ready_s"].append(int(ready) / 1000)
    d["cpu_s"].append(float(cpu))
    d["first_review_ms"].append(float(first) * 1000)
    d["next_reviews_median_ms"].append(float(rest) * 1000)
report = {"runs": int(n), "cpus": int(cpus), "java": java, "load_before": lb, "load_after": la,
          "uptime_before": ub.strip(), "uptime_after": ua.strip(),
          "started_as": "serve --policy charts/podguard/files/default-policy.yaml --tls-cert --tls-key (chart defaults, certificate given as files)",
          "results": {names[k]: {m: {"median": round(statistics.median(v), 3), "all": [round(x, 3) for x in v]}
                                 for m, v in d.items()} for k, d in data.items()}}
json.dump(report, open(out + ".json", "w"), indent=1)
with open(out + ".md", "w") as f:
    f.write(f"# podguard start-up: process start to /readyz 200\n\n")
    f.write(f"{n} runs of each, alternating; {cpus} CPUs; {java}.\n")
    f.write(f"Started as the chart starts it: `serve --policy` (the chart's default policy file), certificate files, both ports.\n\n")
    f.write(f"- before: `{ub.strip()}`\n- after: `{ua.strip()}`\n\n")
    f.write("| start | Ready, s (median) | all runs, s | CPU until Ready, s (median) | first review after Ready, ms (median) | next 20 reviews, ms (median of medians) |\n")
    f.write("| --- | --- | --- | --- | --- | --- |\n")
    for k, d in data.items():
        f.write(f"| {names[k]} | **{statistics.median(d['ready_s']):.2f}** | {', '.join(f'{x:.2f}' for x in sorted(d['ready_s']))} "
                f"| {statistics.median(d['cpu_s']):.2f} | {statistics.median(d['first_review_ms']):.1f} "
                f"| {statistics.median(d['next_reviews_median_ms']):.1f} |\n")
print(open(out + ".md").read())
PY
