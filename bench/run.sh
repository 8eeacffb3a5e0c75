#!/usr/bin/env bash
# podguard's load benchmark, side by side with the trivial Spring Boot endpoint and the upstream
# Pod Security webhook. See bench/README.md. Everything listens on 127.0.0.1 and stops at exit.
#
#   bench/run.sh                        # full run: build, 3 alternating rounds, report
#   ROUNDS=1 DURATION=5 bench/run.sh    # a quick look
#
# Environment (defaults in brackets):
#   ROUNDS [3] DURATION [10] seconds per measurement, WARMUP [20] seconds per server and endpoint
#   CONCURRENCY [4,25] wrk connections; RATE [2000] reviews/s over RATE_CONNECTIONS [4,25] (vegeta)
#   SERVERS [trivial,podguard,upstream] closed-loop targets; RATE_SERVERS [same] open-loop targets
#   EXTRA_SERVERS [] more closed-loop targets: podguard-384m, podguard-platform, trivial-platform,
#                    podguard-unbounded, podguard-bound2
#   OVERLOAD_SERVERS [] servers driven at OVERLOAD_CONNECTIONS [200] connections (the bound experiment)
#   VARIANTS [] more podguard servers: 'podguard-a=FLAGS;podguard-b=FLAGS' (-X…/-D… flags go to the JVM,
#               JAR=PATH runs another build of podguard)
#   MUTATE_SERVERS [podguard,podguard-384m] podguard servers whose /mutate is measured as well as /validate
#   JVM_OPTS [] extra JVM flags for every Java server; SKIP_BUILD=true uses the jars as they are
#   E2E_BIN_DIR [target/e2e-bin] kube-apiserver, etcd and pod-security-webhook (built if missing)
#   NOTE [] a line for the report
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
BIN="$ROOT/target/bench-bin"
E2E_BIN_DIR=${E2E_BIN_DIR:-$ROOT/target/e2e-bin}
STAMP=$(date -u +%Y%m%d-%H%M)
WORK="$ROOT/bench/results/tmp/$STAMP"
OUT="$ROOT/bench/results/report-$STAMP"
mkdir -p "$WORK" "$BIN"

need() { command -v "$1" >/dev/null || { echo "bench: $1 is missing ($2)" >&2; exit 2; }; }
need wrk "apt-get install -y wrk"
need python3 "Python 3.9 or later"
need go "Go 1.26, for vegeta and the upstream webhook"

if [[ "${SKIP_BUILD:-false}" != true || ! -f target/podguard.jar ]]; then
  echo "bench: building target/podguard.jar" >&2
  ./mvnw -q -DskipTests package
fi
if [[ "${SKIP_BUILD:-false}" != true || ! -f bench/trivial/target/trivial-endpoint.jar ]]; then
  echo "bench: building the trivial endpoint" >&2
  ./mvnw -q -f bench/trivial/pom.xml -DskipTests package
fi
if [[ ! -x "$BIN/vegeta" ]]; then
  echo "bench: building vegeta" >&2
  GOBIN="$BIN" CGO_ENABLED=0 go install -trimpath github.com/tsenart/vegeta/v12@v12.13.0
fi

"$JAVA" -jar target/podguard.jar certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null

# The upstream webhook looks namespaces up in an apiserver: start the end-to-end tier's.
SERVERS=${SERVERS-trivial,podguard,upstream}
RATE_SERVERS=${RATE_SERVERS-$SERVERS}
CLUSTER="$WORK/cluster"
cleanup() { [[ -f "$CLUSTER/cluster.env" ]] && src/test/cluster/stop-cluster.sh "$CLUSTER" >/dev/null 2>&1 || true; }
trap cleanup EXIT
UPSTREAM_ARGS=()
if [[ ",$SERVERS,$RATE_SERVERS," == *",upstream,"* ]]; then
  mkdir -p "$CLUSTER"
  skip_build=false
  [[ -x "$E2E_BIN_DIR/pod-security-webhook" && -x "$E2E_BIN_DIR/kube-apiserver" ]] && skip_build=true
  PODGUARD_E2E_SKIP_BUILD=$skip_build PODGUARD_E2E_BIN_DIR="$E2E_BIN_DIR" src/test/cluster/start-cluster.sh "$CLUSTER" --watch-pid=$$ --ttl=1h >/dev/null
  # The same levels as podguard's embedded default policy: enforce baseline, audit and warn restricted, latest.
  cat > "$WORK/podsecurity.yaml" <<'EOF'
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: latest
  audit: restricted
  audit-version: latest
  warn: restricted
  warn-version: latest
exemptions: {}
EOF
  UPSTREAM_ARGS=(--upstream-bin "$E2E_BIN_DIR/pod-security-webhook" --kubeconfig "$CLUSTER/kubeconfig"
                 --upstream-config "$WORK/podsecurity.yaml")
fi

EXTRA=${EXTRA_SERVERS:-}
VARIANT_ARGS=()
# VARIANTS='podguard-a=--podguard.max-concurrent-reviews=2;podguard-b=-XX:+UseSerialGC' adds more podguard servers.
IFS=';' read -r -a variant_list <<< "${VARIANTS:-}"
for v in "${variant_list[@]}"; do
  [[ -n "$v" ]] && VARIANT_ARGS+=(--variant "$v") && EXTRA="${EXTRA:+$EXTRA,}${v%%=*}"
done
python3 bench/lib/bench.py \
  --java "$JAVA" --jvm-opts="${JVM_OPTS:-}" \
  --jar target/podguard.jar --trivial-jar bench/trivial/target/trivial-endpoint.jar \
  "${UPSTREAM_ARGS[@]}" --vegeta "$BIN/vegeta" \
  --certs "$WORK/certs" --review bench/reviews/pod-review.json --lua bench/lib/review.lua \
  --work "$WORK" --out "$OUT" \
  --servers "$SERVERS${EXTRA:+,$EXTRA}" --rate-servers "$RATE_SERVERS" \
  --mutate-servers "${MUTATE_SERVERS:-podguard,podguard-384m}" \
  --overload-servers "${OVERLOAD_SERVERS:-}" --overload-connections "${OVERLOAD_CONNECTIONS:-200}" \
  --concurrency "${CONCURRENCY-4,25}" --rounds "${ROUNDS:-3}" --duration "${DURATION:-10}" \
  --warmup "${WARMUP:-20}" --rate "${RATE:-2000}" --rate-connections "${RATE_CONNECTIONS:-4,25}" \
  --note "${NOTE:-}" "${VARIANT_ARGS[@]}"
python3 bench/lib/report.py "$OUT.json" > "$OUT.md"
cp "$OUT.json" bench/results/latest.json
cp "$OUT.md" bench/results/latest.md
echo "bench: wrote $OUT.md and $OUT.json (also bench/results/latest.*)" >&2
