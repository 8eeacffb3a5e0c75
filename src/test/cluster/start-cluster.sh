#!/usr/bin/env bash
# Starts a throw-away control plane (etcd + kube-apiserver, on loopback, with
# random free ports) for podguard's end-to-end tests, and returns once the API
# is ready. The processes keep running in the background until
# stop-cluster.sh WORKDIR (or the TTL, or the end of the watched process).
#
# Usage: src/test/cluster/start-cluster.sh WORKDIR [FLAG...]
#
# On success (exit 0) stdout is exactly the content of WORKDIR/cluster.env:
#   APISERVER_URL, KUBECONFIG, AUDIT_LOG, ETCD_PID, APISERVER_PID, ... (see README.md)
# On failure (exit non-zero) nothing is left running, and stderr holds the
# reason and the tails of the apiserver, etcd and supervisor logs.
#
# FLAGs are those of `e2e-cluster start -h`, e.g. --timeout=120s,
# --watch-pid=PID, --apiserver-arg=--feature-gates=X=true.
# Environment:
#   PODGUARD_E2E_BIN_DIR        where the binaries are (default <repo>/target/e2e-bin)
#   PODGUARD_E2E_SKIP_BUILD     true: do not run build.sh first (default: run it;
#                               it is a no-op when the binaries are up to date)
#   PODGUARD_E2E_START_TIMEOUT, PODGUARD_E2E_TTL, PODGUARD_E2E_WATCH_PID,
#   PODGUARD_E2E_SERVICE_ACCOUNT_ADMISSION, PODGUARD_E2E_APISERVER_ARGS,
#   PODGUARD_E2E_APISERVER_V    defaults for the flags of the same meaning
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../../.." && pwd)"

if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
workdir="$1"; shift
mkdir -p "$workdir"
workdir="$(cd "$workdir" && pwd)"

bin_dir="${PODGUARD_E2E_BIN_DIR:-$repo_root/target/e2e-bin}"
if [[ "${PODGUARD_E2E_SKIP_BUILD:-false}" != true ]]; then
  # Build output goes to stderr: stdout carries only cluster.env.
  "$here/build.sh" "$bin_dir" >&2
fi
bin_dir="$(cd "$bin_dir" && pwd)"
[[ -x "$bin_dir/e2e-cluster" ]] || {
  echo "start-cluster.sh: $bin_dir/e2e-cluster is missing: run src/test/cluster/build.sh" >&2
  exit 1
}

exec "$bin_dir/e2e-cluster" start --bin-dir "$bin_dir" "$@" "$workdir"
