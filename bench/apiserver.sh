#!/usr/bin/env bash
# podguard's end-to-end benchmark: pod creates per second and create latency through a real
# kube-apiserver (the end-to-end tier's, on loopback) with no webhook, with podguard's webhooks as
# the chart registers them, with the upstream pod-security-webhook, and with the apiserver's
# built-in PodSecurity plugin, in alternating rounds. See bench/README.md.
#
#   bench/apiserver.sh                          # build, start, warm up, 3 rounds, report
#   ROUNDS=1 DURATION=5 WARMUP=10 bench/apiserver.sh
#
# Environment (defaults in brackets):
#   ROUNDS [3] DURATION [10] seconds per measurement, WARMUP [20] seconds per configuration
#   WORKERS [32] concurrent creates at saturation (and the most in flight at the fixed rate)
#   RATE [] creates/s of the fixed-rate runs; empty: half the no-webhook saturation rate
#   CONFIGS [none,podguard,upstream,psa]
#   PODGUARD_JVM [the chart's JAVA_TOOL_OPTIONS at its 512 MiB limit] PODGUARD_ARGS [the chart's]
#   ASYNC_PROFILER [] path of libasyncProfiler.so: CPU profiles of podguard in an extra run of each
#                    load after the rounds, in no figure (collapsed stacks in the work directory;
#                    bench/lib/stacks.py summarises them)
#   APISERVER_PROFILE [] non-empty: kube-apiserver's CPU profile (pprof) during each first-round saturation run
#                    (`go tool pprof -top target/e2e-bin/kube-apiserver FILE` reads it)
#   CHART_SET [] more `helm template` flags for podguard's webhook configurations
#                (e.g. "--set webhooks.mutating.enabled=false": the validating webhooks alone)
#   WARMUP_REVIEWS [the apiserver's own reviews in bench/reviews: a pod CREATE on /mutate and /validate,
#                  an UPDATE on /validate] endpoint=FILE,… sent to podguard with wrk before anything else
#   SKIP_BUILD=true uses target/podguard.jar as it is; PODGUARD_JAR [target/podguard.jar] another jar
#   NOTE [] a line for the report
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
E2E_BIN_DIR=${E2E_BIN_DIR:-$ROOT/target/e2e-bin}
STAMP=$(date -u +%Y%m%d-%H%M)
WORK="$ROOT/bench/results/tmp/apiserver-$STAMP"
OUT="$ROOT/bench/results/apiserver-$STAMP"
mkdir -p "$WORK"

command -v go >/dev/null || { echo "bench: go is missing (Go 1.26, for the cluster and create-load)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is missing" >&2; exit 2; }
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk), for podguard's warm-up" >&2; exit 2; }
JAR=${PODGUARD_JAR:-target/podguard.jar}
if [[ -z "${PODGUARD_JAR:-}" && ( "${SKIP_BUILD:-false}" != true || ! -f target/podguard.jar ) ]]; then
  echo "bench: building target/podguard.jar" >&2
  ./mvnw -q -DskipTests package
fi
src/test/cluster/build.sh "$E2E_BIN_DIR" >&2

"$JAVA" -jar "$JAR" certs -o "$WORK/certs" localhost 127.0.0.1 >/dev/null

# The level every judging configuration uses: podguard's embedded default.
LEVELS='enforce: baseline
  enforce-version: latest
  audit: restricted
  audit-version: latest
  warn: restricted
  warn-version: latest'
cat > "$WORK/podsecurity.yaml" <<EOF
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  $LEVELS
exemptions: {}
EOF
# The built-in plugin judges bench-psa only: the other namespaces are exempt (a map lookup).
cat > "$WORK/admission.yaml" <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      $(echo "$LEVELS" | sed 's/^  /      /')
    exemptions:
      namespaces: [bench-none, bench-podguard, bench-upstream]
EOF

# podguard's webhook configurations as the chart renders them by default; the upstream
# webhook's own manifest from the Go module go.mod pins.
# shellcheck disable=SC2086 # CHART_SET: helm flags, e.g. "--set webhooks.mutating.enabled=false"
"$E2E_BIN_DIR/helm" template podguard charts/podguard ${CHART_SET:-} > "$WORK/chart.yaml"
PSA_DIR=$(cd src/test/cluster && go list -m -f '{{.Dir}}' k8s.io/pod-security-admission)
cp "$PSA_DIR/webhook/manifests/70-validatingwebhookconfiguration.yaml" "$WORK/upstream-webhook.yaml"

# The pod every create sends: the 4.0 KB pod (compact JSON) of bench/reviews/pod-review.json.
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["request"]["object"], separators=(",", ":")))' \
  bench/reviews/pod-review.json > "$WORK/pod.json"

CLUSTER="$WORK/cluster"
cleanup() { [[ -f "$CLUSTER/cluster.env" ]] && src/test/cluster/stop-cluster.sh "$CLUSTER" >/dev/null 2>&1 || true; }
trap cleanup EXIT
mkdir -p "$CLUSTER"
# No audit log: the harness' default (RequestResponse for pods, blocking) would add the same
# large cost to every configuration and hide the webhooks' share. A run creates and deletes a
# few hundred thousand pods: etcd's history is compacted every 30 s (not 5 min) so that it stays
# far below etcd's 2 GiB quota.
PODGUARD_E2E_SKIP_BUILD=true PODGUARD_E2E_BIN_DIR="$E2E_BIN_DIR" src/test/cluster/start-cluster.sh "$CLUSTER" \
  --watch-pid=$$ --ttl=2h --pod-security-admission \
  --apiserver-arg=--admission-control-config-file="$WORK/admission.yaml" \
  --apiserver-arg=--audit-log-path= --apiserver-arg=--delete-collection-workers=4 \
  --apiserver-arg=--etcd-compaction-interval=30s ${APISERVER_PROFILE:+--apiserver-arg=--profiling=true} >/dev/null

# The chart's JAVA_TOOL_OPTIONS and its 512 MiB memory limit (MaxRAM stands in for the cgroup
# limit on a bare machine); the chart's arguments that change what a review does.
PODGUARD_JVM=${PODGUARD_JVM:--XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=70 -XX:MaxRAM=512m}
PODGUARD_ARGS=${PODGUARD_ARGS:---podguard.events.enabled=false --podguard.audit.enabled=false --podguard.audit.policy-reports=false --podguard.webhooks.exclude-namespaces=kube-system,default --podguard.namespaces.watch=auto --podguard.namespace-resources.watch=always}

python3 bench/lib/apiserver.py \
  --java "$JAVA" --jar "$JAR" --podguard-jvm "$PODGUARD_JVM" --podguard-args "$PODGUARD_ARGS" \
  --create-load "$E2E_BIN_DIR/create-load" --upstream-bin "$E2E_BIN_DIR/pod-security-webhook" \
  --upstream-config "$WORK/podsecurity.yaml" --upstream-manifest "$WORK/upstream-webhook.yaml" \
  --chart-manifests "$WORK/chart.yaml" --cluster-env "$CLUSTER/cluster.env" --certs "$WORK/certs" \
  --pod "$WORK/pod.json" --review bench/reviews/pod-review.json \
  --warmup-reviews "${WARMUP_REVIEWS:-mutate=bench/reviews/apiserver-mutate.json,validate=bench/reviews/apiserver-validate.json,validate=bench/reviews/apiserver-update.json}" \
  --lua bench/lib/review.lua --work "$WORK" --out "$OUT" \
  --configs "${CONFIGS:-none,podguard,upstream,psa}" --rounds "${ROUNDS:-3}" --duration "${DURATION:-10}" \
  --warmup "${WARMUP:-20}" --workers "${WORKERS:-32}" --rate "${RATE:-0}" --note "${NOTE:-}" \
  --profiler "${ASYNC_PROFILER:-}" ${APISERVER_PROFILE:+--apiserver-profile}
python3 bench/lib/apiserver_report.py "$OUT.json" > "$OUT.md"
cp "$OUT.json" bench/results/apiserver-latest.json
cp "$OUT.md" bench/results/apiserver-latest.md
echo "bench: wrote $OUT.md and $OUT.json (also bench/results/apiserver-latest.*)" >&2
