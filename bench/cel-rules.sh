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
NAME=cel-rules
source "$(dirname "$0")/lib/cel-rules-setup.sh"
OUT="$ROOT/bench/results/cel-rules-$STAMP"

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
