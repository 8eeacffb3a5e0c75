#!/usr/bin/env bash
# CEL rules over HTTPS: /validate of podguard with the embedded default policy against the same
# policy with 20 CEL rules (the cookbook's ten, twice, as CelRuleBenchmark), in alternating rounds
# at 4 and 25 connections (wrk). The issue's target: the 20-rule server keeps >= 0.8 of the
# throughput. Writes bench/results/cel-rules-<time>.{json,md}; bench/results/latest.* are left alone.
#
#   bench/cel-rules.sh                                  # build, 3 rounds of 10 s, the pod every rule allows
#   REVIEW=bench/reviews/pod-review.json bench/cel-rules.sh   # the benchmark pod, which 6 of the 20 rules deny
#   SKIP_BUILD=true ROUNDS=1 DURATION=5 bench/cel-rules.sh
#
# Environment: REVIEW [bench/reviews/pod-review-rules.json: bench/reviews/pod-review.json with a team
# label, imagePullPolicy Always and no secret in env, so both servers allow it with the same answer],
# ROUNDS [3], DURATION [10] s, WARMUP [20] s, CONCURRENCY [4,25], SKIP_BUILD, NOTE.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
STAMP=$(date -u +%Y%m%d-%H%M)
WORK="$ROOT/bench/results/tmp/cel-rules-$STAMP"
OUT="$ROOT/bench/results/cel-rules-$STAMP"
mkdir -p "$WORK"
if [[ "${SKIP_BUILD:-false}" != true || ! -f target/podguard.jar ]]; then
  echo "bench: building target/podguard.jar" >&2
  ./mvnw -q -DskipTests package
fi
"$JAVA" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null

python3 bench/lib/twenty-rules.py "$WORK/twenty-rules.yaml"
"$JAVA" -jar target/podguard.jar config validate "$WORK/twenty-rules.yaml" >&2

python3 bench/lib/bench.py \
  --java "$JAVA" --jar target/podguard.jar --trivial-jar bench/trivial/target/trivial-endpoint.jar \
  --certs "$WORK/certs" --review "${REVIEW:-bench/reviews/pod-review-rules.json}" --lua bench/lib/review.lua \
  --work "$WORK" --out "$OUT" \
  --servers podguard,podguard-20rules --rate-servers "" --mutate-servers "" \
  --variant "podguard-20rules=--policy=$WORK/twenty-rules.yaml" \
  --concurrency "${CONCURRENCY:-4,25}" --rounds "${ROUNDS:-3}" --duration "${DURATION:-10}" \
  --warmup "${WARMUP:-20}" --note "${NOTE:-/validate with 20 CEL rules (podguard-20rules) against the embedded default alone (podguard).}"
python3 bench/lib/report.py "$OUT.json" > "$OUT.md"
echo "bench: wrote $OUT.md and $OUT.json" >&2
