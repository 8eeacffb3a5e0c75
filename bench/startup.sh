#!/usr/bin/env bash
# Start-up time of podguard (process start → /readyz 200), with and without a Java AOT cache.
#   bench/startup.sh [RUNS]      (default 3 runs of each)
# Builds the AOT cache the way bench/README.md documents for local runs:
#   1. extract the jar (an AOT cache needs classes from plain jars, not nested ones)
#   2. a training run that stops once the context is refreshed, writing the cache
#   3. start with -XX:AOTCache
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
RUNS=${1:-3}
WORK="$ROOT/bench/results/tmp/startup-$(date -u +%Y%m%d-%H%M%S)"
APP="$ROOT/target/podguard-aot"
mkdir -p "$WORK"
[[ -f target/podguard.jar && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package
"$JAVA" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null
TLS=(--tls-cert="$WORK/certs/tls.crt" --tls-key="$WORK/certs/tls.key")

rm -rf "$APP"
"$JAVA" -Djarmode=tools -jar target/podguard.jar extract --destination "$APP" >/dev/null
t0=$(date +%s.%N)
"$JAVA" -XX:AOTCacheOutput="$APP/app.aot" -Dspring.context.exit=onRefresh -jar "$APP/podguard.jar" serve \
  --port=0 --management-port=0 "${TLS[@]}" --logging.level.root=WARN > "$WORK/training.log" 2>&1 || true
t1=$(date +%s.%N)
[[ -f "$APP/app.aot" ]] || { echo "startup: no AOT cache was written; see $WORK/training.log" >&2; exit 1; }
echo "startup: AOT cache $(du -h "$APP/app.aot" | cut -f1) written in $(printf '%.1f' "$(echo "$t1 - $t0" | bc)") s" >&2

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# Prints seconds from process start to /readyz 200.
ready_time() {
  local port mport pid start
  port=$(free_port); mport=$(free_port)
  start=$(date +%s.%N)
  "$@" serve --port="$port" --management-port="$mport" "${TLS[@]}" --logging.level.root=WARN > "$WORK/run.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz"; do
    kill -0 $pid 2>/dev/null || { echo "startup: podguard exited; see $WORK/run.log" >&2; exit 1; }
    sleep 0.02
  done
  echo "$(date +%s.%N) - $start" | bc
  kill $pid; wait $pid 2>/dev/null || true
}

declare -A RESULTS
for i in $(seq "$RUNS"); do
  # Alternate so that both see the same machine.
  RESULTS[jar]+="$(ready_time "$JAVA" -jar target/podguard.jar) "
  RESULTS[extracted]+="$(ready_time "$JAVA" -jar "$APP/podguard.jar") "
  RESULTS[aot]+="$(ready_time "$JAVA" -XX:AOTCache="$APP/app.aot" -jar "$APP/podguard.jar") "
done
python3 - "$WORK" <<PY
import json, statistics, sys
r = {"java -jar podguard.jar": "${RESULTS[jar]}", "extracted jar": "${RESULTS[extracted]}",
     "extracted jar + AOT cache": "${RESULTS[aot]}"}
out = {k: sorted(float(x) for x in v.split()) for k, v in r.items()}
print("| start | ready after, s (median) | all runs |")
print("| --- | --- | --- |")
for k, v in out.items():
    print(f"| {k} | {statistics.median(v):.2f} | {', '.join(f'{x:.2f}' for x in v)} |")
json.dump(out, open(sys.argv[1] + "/startup.json", "w"), indent=1)
PY
