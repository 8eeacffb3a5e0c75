#!/usr/bin/env bash
# podguard on a cluster of real size: the background audit of 100,000 pods in 1,000 namespaces
# (10% of them violating baseline) on the end-to-end tier's kube-apiserver and etcd, then two
# replicas: one LIST sweep per interval, and the takeover after the leader is killed.
#
#   bench/scale.sh                                   # build, fill the cluster, measure, report
#   NAMESPACES=100 PODS=100 bench/scale.sh           # a quick look at 10,000 pods
#   SKIP_BUILD=true bench/scale.sh                   # target/podguard.jar and target/e2e-bin as they are
#   KEEP_CLUSTER=DIR bench/scale.sh                  # reuse (or leave running) the cluster in DIR
#
# Writes bench/results/scale-<time>.{md,json} and bench/results/scale-latest.md; logs, the GC log
# and the apiserver's audit log stay in bench/results/tmp/scale-<time>/. Everything listens on
# 127.0.0.1 and is stopped when the script ends (unless KEEP_CLUSTER names the cluster's directory).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"

if [[ "${SKIP_BUILD:-false}" != true ]]; then
  ./mvnw -B -ntp -q -DskipTests -Dpodguard.launcher.skip package
  src/test/cluster/build.sh >/dev/null
fi
for f in target/podguard.jar target/e2e-bin/pod-loader target/e2e-bin/kube-apiserver target/e2e-bin/kubectl; do
  [[ -e "$f" ]] || { echo "scale: $f is missing (run without SKIP_BUILD=true)" >&2; exit 1; }
done

exec python3 bench/lib/scale.py --root "$ROOT" \
  --namespaces "${NAMESPACES:-1000}" --pods "${PODS:-100}" --violating "${VIOLATING:-10}" \
  --interval "${INTERVAL:-90}" --sweeps "${SWEEPS:-3}" --heap "${HEAP:-256m}" \
  ${KEEP_CLUSTER:+--keep-cluster "$KEEP_CLUSTER"}
