#!/usr/bin/env bash
# Start-up of the command line: wall time of `podguard check FILE` on one small manifest, from
# process start to exit, through bin/podguard (extracted jar + the AOT cache the build trained)
# and, for comparison, `java -jar target/podguard.jar` (the fat jar, no cache). Goal: ≤ 0.5 s.
#   bench/cli-startup.sh [RUNS]      (default 15 runs of each, alternating)
# Writes bench/results/cli-startup-<UTC time>.{json,md} and bench/results/cli-startup-latest.md.
# The machine's load average is recorded beside the figures: other work on the same cores shows
# up directly in a start-up time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
RUNS=${1:-15}
STAMP=$(date -u +%Y%m%d-%H%M%S)
WORK="$ROOT/bench/results/tmp/cli-startup-$STAMP"
mkdir -p "$WORK"
[[ -f target/podguard/podguard-cli.aot && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package

cat > "$WORK/web.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.29
        ports: [{containerPort: 8080}]
YAML

# Milliseconds from start to exit of one command (its exit code may be 0 or 1).
millis() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || [[ $? -eq 1 ]]
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
launcher=() jar=()
for i in $(seq "$RUNS"); do
  launcher+=("$(millis bin/podguard check "$WORK/web.yaml")")
  jar+=("$(millis "$JAVA" -jar target/podguard.jar check "$WORK/web.yaml")")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$ROOT/bench/results" "$STAMP" "$(nproc)" "$load_before" "$load_after" "${launcher[*]}" "${jar[*]}" <<'PY'
import json, statistics, sys
out, stamp, cores, before, after, launcher, jar = sys.argv[1:]
runs = {"bin/podguard check FILE (extracted jar + AOT cache)": sorted(int(x) for x in launcher.split()),
        "java -jar target/podguard.jar check FILE": sorted(int(x) for x in jar.split())}
result = {"time": stamp, "cores": int(cores), "loadavg_before": before, "loadavg_after": after,
          "goal_ms": 500, "runs_ms": runs}
json.dump(result, open(f"{out}/cli-startup-{stamp}.json", "w"), indent=1)
lines = [f"# podguard check FILE: start to exit ({stamp} UTC)", "",
         f"{cores} cores; load average {before} before, {after} after. Goal: 500 ms.", "",
         "| command | median ms | fastest ms | slowest ms | runs |", "| --- | --- | --- | --- | --- |"]
for name, v in runs.items():
    lines.append(f"| {name} | {statistics.median(v):.0f} | {v[0]} | {v[-1]} | {len(v)} |")
text = "\n".join(lines) + "\n"
open(f"{out}/cli-startup-{stamp}.md", "w").write(text)
open(f"{out}/cli-startup-latest.md", "w").write(text)
print(text)
PY
