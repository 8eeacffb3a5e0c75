#!/usr/bin/env bash
# CPU profile of podguard under load with JDK Flight Recorder.
#   bench/profile.sh [validate|mutate] [connections]   (default: validate 25)
# Writes bench/results/tmp/profile-<time>.jfr and prints the hottest methods.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
ENDPOINT=${1:-validate}
CONNS=${2:-25}
WORK="$ROOT/bench/results/tmp/profile-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$WORK"
[[ -f target/podguard.jar && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package
"$JAVA_HOME/bin/java" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
MPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$JAVA_HOME/bin/java" -XX:FlightRecorderOptions:stackdepth=256 ${JVM_OPTS:-} -jar target/podguard.jar serve --port=$PORT --management-port=$MPORT \
  --tls-cert="$WORK/certs/tls.crt" --tls-key="$WORK/certs/tls.key" --logging.level.root=WARN ${PODGUARD_ARGS:-} \
  > "$WORK/podguard.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$MPORT/readyz" >/dev/null; do sleep 0.2; kill -0 $PID; done
export REVIEW="$ROOT/bench/reviews/pod-review.json"
URL="https://127.0.0.1:$PORT/$ENDPOINT?timeout=10s"
wrk -t2 -c"$CONNS" -d"${WARMUP:-20}s" -s bench/lib/review.lua "$URL" >/dev/null
"$JAVA_HOME/bin/jcmd" $PID JFR.start name=bench settings=profile >/dev/null
wrk -t2 -c"$CONNS" -d"${DURATION:-20}s" -s bench/lib/review.lua "$URL" | grep -E 'Requests/sec'
"$JAVA_HOME/bin/jcmd" $PID JFR.dump name=bench filename="$WORK/profile.jfr" >/dev/null
python3 bench/lib/jfrtop.py --jfr "$JAVA_HOME/bin/jfr" "$WORK/profile.jfr" | tee "$WORK/profile.md"
echo "profile: $WORK/profile.jfr" >&2
