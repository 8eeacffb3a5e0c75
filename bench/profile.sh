#!/usr/bin/env bash
# CPU profile of podguard (or the trivial endpoint) under load.
#   bench/profile.sh [validate|mutate] [connections]   (default: validate 25)
#
# Environment (defaults in brackets):
#   WARMUP [20] DURATION [20] seconds of load before and while recording
#   ASYNC_PROFILER [] path of libasyncProfiler.so: async-profiler (CPU, 1 ms, per thread; sees the
#                  kernel, the JIT and the GC) instead of JDK Flight Recorder (Java frames only);
#                  the collapsed stacks and their summary (bench/lib/stacks.py) go to
#                  bench/results/profile-<time>-<target>-<endpoint>-<connections>.{collapsed.gz,md}
#   RATE [] reviews/s: record at this fixed rate (vegeta, open loop, over the connections given)
#               instead of wrk's closed loop; needs target/bench-bin/vegeta (bench/run.sh builds it)
#   TARGET [podguard] or trivial: the trivial endpoint (bench/trivial), the stack's ceiling
#   REVIEW [bench/reviews/pod-review.json] the review sent
#   JVM_OPTS [] PODGUARD_ARGS [] more JVM flags and podguard arguments; SKIP_BUILD=true uses the jars as they are
# Without ASYNC_PROFILER: writes bench/results/tmp/profile-<time>/profile.jfr and prints the hottest methods.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ENDPOINT=${1:-validate}
CONNS=${2:-25}
TARGET=${TARGET:-podguard}
STAMP=$(date -u +%Y%m%d-%H%M%S)
WORK="$ROOT/bench/results/tmp/profile-$STAMP"
mkdir -p "$WORK"
[[ -f target/podguard.jar && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package
if [[ "$TARGET" == trivial ]]; then
  [[ -f bench/trivial/target/trivial-endpoint.jar && "${SKIP_BUILD:-false}" == true ]] \
    || ./mvnw -q -f bench/trivial/pom.xml -DskipTests package
fi
"$JAVA_HOME/bin/java" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
JFR_OPTS=()
[[ -z "${ASYNC_PROFILER:-}" ]] && JFR_OPTS=(-XX:FlightRecorderOptions:stackdepth=256)
case "$TARGET" in
  podguard)
    "$JAVA_HOME/bin/java" "${JFR_OPTS[@]}" ${JVM_OPTS:-} -jar target/podguard.jar serve --port=$PORT --management-port=$MPORT \
      --tls-cert="$WORK/certs/tls.crt" --tls-key="$WORK/certs/tls.key" --logging.level.root=WARN ${PODGUARD_ARGS:-} \
      > "$WORK/server.log" 2>&1 &
    READY="http://127.0.0.1:$MPORT/readyz";;
  trivial)
    "$JAVA_HOME/bin/java" "${JFR_OPTS[@]}" ${JVM_OPTS:-} -jar bench/trivial/target/trivial-endpoint.jar --server.port=$PORT \
      --bench.cert="$WORK/certs/tls.crt" --bench.key="$WORK/certs/tls.key" --spring.threads.virtual.enabled=true \
      > "$WORK/server.log" 2>&1 &
    READY="";;
  *) echo "profile: TARGET is podguard or trivial, not $TARGET" >&2; exit 2;;
esac
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
export REVIEW=${REVIEW:-$ROOT/bench/reviews/pod-review.json}
URL="https://127.0.0.1:$PORT/$ENDPOINT?timeout=10s"
if [[ -n "$READY" ]]; then
  until curl -sf "$READY" >/dev/null; do sleep 0.2; kill -0 $PID; done
else
  until curl -skf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$REVIEW" "$URL"; do sleep 0.2; kill -0 $PID; done
fi
wrk -t2 -c"$CONNS" -d"${WARMUP:-20}s" -s bench/lib/review.lua "$URL" >/dev/null
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
if [[ -z "${ASYNC_PROFILER:-}" ]]; then
  "$JAVA_HOME/bin/jcmd" $PID JFR.start name=bench settings=profile >/dev/null
  wrk -t2 -c"$CONNS" -d"${DURATION:-20}s" -s bench/lib/review.lua "$URL" | grep -E 'Requests/sec'
  "$JAVA_HOME/bin/jcmd" $PID JFR.dump name=bench filename="$WORK/profile.jfr" >/dev/null
  python3 bench/lib/jfrtop.py --jfr "$JAVA_HOME/bin/jfr" "$WORK/profile.jfr" | tee "$WORK/profile.md"
  echo "profile: $WORK/profile.jfr" >&2
  exit 0
fi
LOAD=wrk
[[ -n "${RATE:-}" ]] && LOAD="rate$RATE"
OUT="$ROOT/bench/results/profile-$STAMP-$TARGET-$ENDPOINT-$CONNS-$LOAD"
BEFORE=$(uptime)
"$JAVA_HOME/bin/jcmd" $PID JVMTI.agent_load "$ASYNC_PROFILER" '"start,event=cpu,interval=1ms,threads"' >/dev/null
TICKS0=$(cpu)
if [[ -z "${RATE:-}" ]]; then
  RESULT=$(wrk -t2 -c"$CONNS" -d"${DURATION:-20}s" -s bench/lib/review.lua "$URL")
else
  printf 'POST %s\nContent-Type: application/json\n@%s\n' "$URL" "$REVIEW" > "$WORK/targets"
  target/bench-bin/vegeta attack -insecure -rate="$RATE/s" -duration="${DURATION:-20}s" -connections="$CONNS" \
    -max-connections="$CONNS" -workers=25 -http2=false -keepalive=true -timeout=10s -targets="$WORK/targets" > "$WORK/vegeta.bin"
  RESULT=$(target/bench-bin/vegeta report -type=json < "$WORK/vegeta.bin")
fi
TICKS1=$(cpu)
"$JAVA_HOME/bin/jcmd" $PID JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,file=$WORK/profile.collapsed,collapsed\"" >/dev/null
AFTER=$(uptime)
if [[ -z "${RATE:-}" ]]; then
  WRK_JSON=$(sed -n 's/^WRK_JSON //p' <<< "$RESULT")
  REQS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$WRK_JSON")
  ERRORS=$(python3 -c 'import json,sys; print(sum(json.loads(sys.argv[1])["errors"].values()))' "$WRK_JSON")
  PER_SECOND=$(grep -E 'Requests/sec' <<< "$RESULT" | awk '{print $2}')
  LATENCY=""
else
  REQS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$RESULT")
  ERRORS=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["requests"] - r["status_codes"].get("200", 0))' "$RESULT")
  PER_SECOND=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["throughput"]))' "$RESULT")
  LATENCY=$(python3 -c 'import json,sys; l=json.loads(sys.argv[1])["latencies"]; print("; p50 %.2f ms, p99 %.2f ms" % (l["50th"] / 1e6, l["99th"] / 1e6))' "$RESULT")
fi
HZ=$(getconf CLK_TCK)
{
  echo "# CPU profile: $TARGET /$ENDPOINT, $CONNS connections, $LOAD ($(date -u +%FT%TZ))"
  echo
  if [[ -z "${RATE:-}" ]]; then KIND="\`wrk\` (closed loop)"; else KIND="\`vegeta\` at $RATE reviews/s (open loop)"; fi
  echo "async-profiler (CPU, 1 ms, per thread) attached after ${WARMUP:-20} s of warm-up, ${DURATION:-20} s of $KIND over"
  echo "$CONNS connections, review \`$(basename "$REVIEW")\`; git $(git rev-parse --short HEAD)."
  echo
  echo "- requests: $REQS in ${DURATION:-20} s ($PER_SECOND/s while profiled$LATENCY), errors: $ERRORS"
  echo "- server CPU per request: $(python3 -c "print(round(($TICKS1 - $TICKS0) / $HZ / max($REQS, 1) * 1e6))") µs (from /proc, profiler included)"
  echo "- uptime before: $BEFORE"
  echo "- uptime after: $AFTER"
  echo "- stacks: [\`$(basename "$OUT").collapsed.gz\`]($(basename "$OUT").collapsed.gz) (\`zcat … > x.collapsed; bench/lib/stacks.py x.collapsed\`)"
  echo
  echo "## All threads"
  echo
  python3 bench/lib/stacks.py "$WORK/profile.collapsed" --top 25
  if [[ "$TARGET" == podguard ]]; then
    echo
    echo "## Evaluation threads (\`podguard-review\`), podguard's frames"
    echo
    python3 bench/lib/stacks.py "$WORK/profile.collapsed" --thread podguard-review --top 15 --match io.podguard | sed -n '/% self/,$p'
  fi
} > "$OUT.md"
gzip -9 -c "$WORK/profile.collapsed" > "$OUT.collapsed.gz"
cat "$OUT.md"
echo "profile: $OUT.md" >&2
