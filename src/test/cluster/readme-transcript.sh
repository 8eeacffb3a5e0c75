#!/usr/bin/env bash
# Records the README's transcript (install, audit, warn, enforce) by running every command for
# real: bin/podguard, helm and kubectl (built by build.sh from go.mod) against the end-to-end
# tier's kube-apiserver (start-cluster.sh). Nothing in the transcript is written by hand.
#
#   src/test/cluster/readme-transcript.sh            # prints the transcript
#   src/test/cluster/readme-transcript.sh --update   # and puts it into README.md between its markers
#
# The harness has an apiserver but no nodes: pods are stored, never run. Two things happen off
# the record, and the README says so: the cluster gets the workloads a real one would already
# run before podguard arrives, and after `helm install` podguard runs as a local process (as in
# the end-to-end tests) with the webhook configurations the chart installed pointed at it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
bin="${PODGUARD_E2E_BIN_DIR:-$repo/target/e2e-bin}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -f "$repo/target/podguard/podguard-cli.aot" ]] || (cd "$repo" && ./mvnw -q -B -ntp -DskipTests package)
"$here/build.sh" "$bin" >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/podguard-transcript.XXXXXX")"
podguard_pid=""
cleanup() {
  [[ -n "$podguard_pid" ]] && kill "$podguard_pid" 2>/dev/null || true
  "$here/stop-cluster.sh" "$work/cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT
PODGUARD_E2E_SKIP_BUILD=true PODGUARD_E2E_BIN_DIR="$bin" "$here/start-cluster.sh" "$work/cluster" --watch-pid=$$ > "$work/cluster.env"
export KUBECONFIG="$work/cluster/kubeconfig"
export PATH="$repo/bin:$bin:$PATH"
export HELM_CACHE_HOME="$work/helm/cache" HELM_CONFIG_HOME="$work/helm/config" HELM_DATA_HOME="$work/helm/data"

# Off the record: what the cluster already runs before podguard arrives.
kubectl create namespace shop >/dev/null
kubectl create namespace monitoring >/dev/null
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: web-7d4b9, namespace: shop}
spec:
  containers: [{name: web, image: nginx:1.29}]
---
apiVersion: v1
kind: Pod
metadata: {name: node-exporter-x2v8k, namespace: monitoring}
spec:
  hostNetwork: true
  hostPID: true
  containers:
  - name: node-exporter
    image: quay.io/prometheus/node-exporter:v1.9.1
    securityContext: {privileged: true}
YAML
mkdir -p "$work/shop/deploy"
ln -s "$repo/charts" "$work/shop/charts"
cd "$work/shop"
cat > deploy/web.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.29
        ports: [{containerPort: 8080}]
YAML
cat > deploy/debug.yaml <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  hostPID: true
  containers:
  - name: shell
    image: busybox:1.37
    command: [sleep, 1d]
    securityContext: {privileged: true}
YAML

transcript="$work/transcript.txt"
: > "$transcript"
# say COMMAND…: appends "$ COMMAND" and its real output (stdout and stderr, as a terminal shows them).
say() {
  printf '$ %s\n' "$*" >> "$transcript"
  bash -c "$*" >> "$transcript" 2>&1 || true
}
comment() {
  [[ -s "$transcript" ]] && printf '\n' >> "$transcript"
  printf '# %s\n' "$*" >> "$transcript"
}

comment "Before installing: judge the manifests in CI, and what already runs in the cluster"
say "podguard check deploy/"
say "podguard audit"

comment "Install, on the embedded default: enforce baseline, audit and warn restricted"
say "helm install podguard charts/podguard --namespace podguard-system --create-namespace"

# Off the record: no nodes here, so podguard runs beside the apiserver, on the chart's policy,
# and the chart's webhook configurations point at it (their clientConfig and caBundle only).
kubectl -n podguard-system get configmap podguard-policy -o jsonpath='{.data.policy\.yaml}' > "$work/policy.yaml"
podguard certs --out "$work/certs" 127.0.0.1 >/dev/null
port="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
mport="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
"$JAVA_HOME/bin/java" -jar "$repo/target/podguard.jar" serve --port "$port" --management-port "$mport" \
  --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" --policy "$work/policy.yaml" > "$work/podguard.log" 2>&1 &
podguard_pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz"; do
  kill -0 "$podguard_pid" 2>/dev/null || { cat "$work/podguard.log" >&2; exit 1; }
  sleep 0.2
done
ca="$(base64 -w0 < "$work/certs/ca.crt")"
for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
  kubectl get "$kind" podguard -o json | python3 -c '
import json, sys
config = json.load(sys.stdin)
for webhook in config["webhooks"]:
    path = webhook["clientConfig"]["service"]["path"]
    webhook["clientConfig"] = {"url": sys.argv[1] + path, "caBundle": sys.argv[2]}
json.dump(config, sys.stdout)' "https://127.0.0.1:$port" "$ca" | kubectl replace -f - >/dev/null
done
# The apiserver picks up webhook configuration changes within a second or so.
for _ in $(seq 50); do
  if kubectl -n shop run probe --image=x --dry-run=server -o name 2>&1 | grep -q 'pod/probe'; then
    grep -q 'admission_requests_total' <(curl -s "http://127.0.0.1:$mport/metrics") && break
  fi
  sleep 0.2
done

comment "Warn: ordinary workloads are admitted, with what the restricted standard would need"
say "kubectl apply -f deploy/web.yaml"
say "kubectl -n shop run web --image=nginx:1.29"
say "kubectl -n shop get pod web -o jsonpath='{.metadata.annotations.podguard\\.io/defaults}{\"\\n\"}'"

comment "Enforce: what breaks baseline is denied"
say "kubectl apply -f deploy/debug.yaml"

result="$work/transcript.md"
{
  echo '```console'
  cat "$transcript"
  echo '```'
} > "$result"
cat "$result"
if [[ "${1:-}" == "--update" ]]; then
  python3 - "$repo/README.md" "$result" "$work" <<'PY'
import re, sys
readme, result, work = sys.argv[1:]
text = open(result).read().replace(work + "/", "").replace(work, ".")
start, end = "<!-- transcript:start -->", "<!-- transcript:end -->"
doc = open(readme).read()
if start not in doc or end not in doc:
    sys.exit("README.md has no transcript markers")
before, rest = doc.split(start, 1)
_, after = rest.split(end, 1)
open(readme, "w").write(before + start + "\n" + text + end + after)
PY
  echo "README.md updated" >&2
fi
