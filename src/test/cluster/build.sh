#!/usr/bin/env bash
# Builds the programs that podguard's end-to-end tests run, from the versions
# pinned in this folder's go.mod:
#
#   kube-apiserver        k8s.io/kubernetes/cmd/kube-apiserver
#   etcd                  go.etcd.io/etcd/server/v3 (./cmd/etcd)
#   helm                  helm.sh/helm/v3/cmd/helm
#   kubectl               k8s.io/kubernetes/cmd/kubectl (the README's transcript)
#   pod-security-webhook  k8s.io/pod-security-admission/cmd/webhook
#   e2e-cluster           ./harness: starts etcd + kube-apiserver (start-cluster.sh)
#   psa-eval              ./cmd/psa-eval: upstream PSA's evaluator on pods from stdin (message comparison)
#   placement-plugins     ./cmd/placement-plugins: kube-apiserver's placement admission
#                         plugins over a JSON corpus (podguard's placement semantics are
#                         compared with them)
#   celeval               ./cmd/celeval: CEL evaluated as kube-apiserver's admission policies do
#   psa-admission         ./cmd/psa-admission: upstream PSA's admission logic (namespace labels,
#                         PodSecurityConfiguration, exemptions, the label-change dry run) over
#                         requests from stdin
#   limitranger           ./cmd/limitranger: kube-apiserver's LimitRanger plugin run over a corpus of cases
#   pod-loader            ./cmd/pod-loader: fills a cluster with pods for the scale benchmark (bench/scale.sh)
#   create-load           ./cmd/create-load: creates pods through the apiserver at a fixed rate or at saturation (bench/apiserver.sh)
#   psp-oracle            ./psp-oracle: Kubernetes v1.24's PodSecurityPolicy admission plugin over a JSON corpus
#                         (its own module, psp-oracle/go.mod: v1.24 cannot share this module's pins)
#
# Usage: src/test/cluster/build.sh [OUT_DIR]     (default: <repo>/target/e2e-bin)
#        BUILD_ONLY="psa-eval" src/test/cluster/build.sh [OUT_DIR]   (only the named binaries, no smoke check)
#
# Idempotent: a binary that is newer than go.mod, go.sum and this script (and,
# for etcd and e2e-cluster, their own sources) and was built by the same Go version is kept.
# FORCE=1 rebuilds everything. GO_BUILD_P sets `go build -p` (default 2).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../../.." && pwd)"
out="${1:-$repo_root/target/e2e-bin}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v go >/dev/null || { echo "build.sh: 'go' is not on PATH" >&2; exit 1; }

# Never let the go command fetch another toolchain behind our back; a caller
# that needs one sets GOTOOLCHAIN itself.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# Static binaries, no C toolchain needed (as upstream release builds do).
export CGO_ENABLED=0
parallel="${GO_BUILD_P:-2}"

# One build at a time per output directory (parallel test forks may race here).
exec 9>"$out/.build.lock"
if command -v flock >/dev/null; then
  flock 9
fi

cd "$here"
go_version="$(go env GOVERSION)"

# Versions come from go.mod, so bumping a version there is all it takes.
mod_version() { go list -m -f '{{.Version}}' "$1"; }
k8s_version="$(mod_version k8s.io/kubernetes)"            # e.g. v1.37.2
psa_version="$(mod_version k8s.io/pod-security-admission)" # e.g. v0.37.2
helm_version="$(mod_version helm.sh/helm/v3)"               # e.g. v3.22.0
k8s_major_minor="${k8s_version#v}"
k8s_major="${k8s_major_minor%%.*}"
k8s_minor="${k8s_major_minor#*.}"; k8s_minor="${k8s_minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# kube-apiserver (and the PSA webhook, built from the same component-base)
# report this version; without it they say v0.0.0-master, which breaks
# `kubeVersion:` constraints in Helm charts and version checks in clients.
# Like upstream's hack/lib/version.sh, stamp both version packages: client-go's
# one names the apiserver's own loopback client in the audit log.
kube_ldflags() {
  local v="$1" p flags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $p.gitVersion=$v -X $p.gitMajor=$k8s_major -X $p.gitMinor=$k8s_minor"
    flags+=" -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
  done
  echo "$flags"
}
helm_ldflags() {
  local h=helm.sh/helm/v3
  # Helm's default .Capabilities.KubeVersion comes from its client-go version
  # (v0.37 -> 1.37), exactly as helm's own Makefile computes it.
  local cg; cg="$(mod_version k8s.io/client-go)"; cg="${cg#v}"
  local cg_major=$(( ${cg%%.*} + 1 )) cg_minor; cg_minor="${cg#*.}"; cg_minor="${cg_minor%%.*}"
  echo "-s -w -X $h/internal/version.version=$helm_version -X $h/internal/version.gitTreeState=clean" \
       "-X $h/pkg/lint/rules.k8sVersionMajor=$cg_major -X $h/pkg/lint/rules.k8sVersionMinor=$cg_minor" \
       "-X $h/pkg/chartutil.k8sVersionMajor=$cg_major -X $h/pkg/chartutil.k8sVersionMinor=$cg_minor"
}

# is_fresh BINARY INPUT...: the binary exists, is newer than every input, and
# its stamp names the current Go version.
is_fresh() {
  local bin="$1"; shift
  [[ -x "$bin" && -f "$bin.stamp" ]] || return 1
  [[ "$(cat "$bin.stamp")" == "$go_version" ]] || return 1
  local f
  for f in "$@"; do
    [[ "$bin" -nt "$f" ]] || return 1
  done
}

fmt_secs() { printf '%dm%02ds' $(( $1 / 60 )) $(( $1 % 60 )); }

built=() skipped=()
only=" ${BUILD_ONLY:-} "
# build NAME PACKAGE LDFLAGS [EXTRA_INPUT...]
build() {
  local name="$1" pkg="$2" ldflags="$3"; shift 3
  local bin="$out/$name"
  if [[ -n "${BUILD_ONLY:-}" && "$only" != *" $name "* ]]; then
    return
  fi
  if [[ "${FORCE:-0}" != 1 ]] && is_fresh "$bin" go.mod go.sum "$here/build.sh" "$@"; then
    echo "==> $name: up to date ($bin)"
    skipped+=("$name")
    return
  fi
  echo "==> $name: go build -p $parallel -trimpath $pkg"
  local start=$SECONDS
  # Build to a temporary name so an interrupted build never leaves a
  # truncated binary that looks fresh.
  rm -f "$bin.stamp"
  (cd "$here/${GO_BUILD_DIR:-.}" && go build -p "$parallel" -trimpath -ldflags "$ldflags" -o "$bin.tmp" "$pkg")
  mv -f "$bin.tmp" "$bin"
  echo "$go_version" >"$bin.stamp"
  echo "==> $name: built in $(fmt_secs $(( SECONDS - start )))"
  built+=("$name")
}

total_start=$SECONDS
echo "==> building e2e binaries into $out ($go_version, kubernetes $k8s_version, helm $helm_version)"
build etcd                 ./cmd/etcd                                "-s -w"               "$here/cmd/etcd/main.go"
build kube-apiserver       k8s.io/kubernetes/cmd/kube-apiserver      "$(kube_ldflags "$k8s_version")"
build helm                 helm.sh/helm/v3/cmd/helm                  "$(helm_ldflags)"
build kubectl              k8s.io/kubernetes/cmd/kubectl             "$(kube_ldflags "$k8s_version")"
build pod-security-webhook k8s.io/pod-security-admission/cmd/webhook "$(kube_ldflags "$k8s_version")"
build e2e-cluster          ./harness                                 "-s -w"               "$here"/harness/*.go
build placement-plugins    ./cmd/placement-plugins                   "-s -w"               "$here/cmd/placement-plugins/main.go"
build celeval              ./cmd/celeval                             "-s -w"               "$here/cmd/celeval/main.go"
build psa-eval             ./cmd/psa-eval                            "-s -w"               "$here/cmd/psa-eval/main.go"
build psa-admission        ./cmd/psa-admission                       "-s -w"               "$here/cmd/psa-admission/main.go"
build limitranger          ./cmd/limitranger                         "-s -w"               "$here/cmd/limitranger/main.go"
build pod-loader           ./cmd/pod-loader                          "-s -w"               "$here/cmd/pod-loader/main.go"
build create-load          ./cmd/create-load                         "-s -w"               "$here/cmd/create-load/main.go"
GO_BUILD_DIR=psp-oracle \
build psp-oracle           .                                         "-s -w"               "$here"/psp-oracle/{go.mod,go.sum,main.go}

if [[ -n "${BUILD_ONLY:-}" ]]; then
  echo "==> done in $(fmt_secs $(( SECONDS - total_start ))) (built: ${built[*]:-none}; up to date: ${skipped[*]:-none})"
  exit 0
fi

# Smoke check: every binary starts and reports its version.
"$out/etcd" --version | sed -n 1p  # sed, not head: no SIGPIPE under pipefail
"$out/kube-apiserver" --version
"$out/helm" version --short
"$out/kubectl" version --client | sed -n 1p
"$out/pod-security-webhook" --version 2>/dev/null || echo "pod-security-webhook $psa_version"

echo "==> done in $(fmt_secs $(( SECONDS - total_start ))) (built: ${built[*]:-none}; up to date: ${skipped[*]:-none})"
