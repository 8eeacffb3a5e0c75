#!/usr/bin/env bash
# JMH benchmarks of the request path without HTTP (src/jmh/java, compiled only with -Pbench).
#   bench/jmh.sh                      # all benchmarks, results in bench/results/jmh-<time>.json
#   bench/jmh.sh 'engine.*' -f 1      # any JMH arguments (a regex of benchmarks, -wi, -i, -f, -prof gc …)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -Pbench -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench/classpath.txt -Dmdep.includeScope=test
mkdir -p bench/results
OUT="bench/results/jmh-$(date -u +%Y%m%d-%H%M).json"
"$JAVA_HOME/bin/java" -cp "target/bench/test-classes:target/bench/classes:$(cat target/bench/classpath.txt)" \
  org.openjdk.jmh.Main -rf json -rff "$OUT" "$@"
python3 bench/lib/jmhtable.py "$OUT" > "${OUT%.json}.md"
echo "jmh: wrote $OUT and ${OUT%.json}.md" >&2
