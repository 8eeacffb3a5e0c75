# The setting of the two CEL rules benchmarks, sourced by bench/cel-rules.sh and bench/cel-rules-paired.sh
# with NAME set: the jar (built unless SKIP_BUILD=true and it exists), wrk, and a work directory
# bench/results/tmp/$NAME-<time> with certificates and the twenty-rule policy, validated.
# Sets ROOT, JAVA, STAMP and WORK; the current directory is the project's.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)" >&2; exit 2; }
STAMP=$(date -u +%Y%m%d-%H%M)
WORK="$ROOT/bench/results/tmp/$NAME-$STAMP"
mkdir -p "$WORK"
if [[ "${SKIP_BUILD:-false}" != true || ! -f target/podguard.jar ]]; then
  echo "bench: building target/podguard.jar" >&2
  ./mvnw -q -DskipTests package
fi
"$JAVA" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null
python3 bench/lib/twenty-rules.py "$WORK/twenty-rules.yaml"
"$JAVA" -jar target/podguard.jar config validate "$WORK/twenty-rules.yaml" >&2
