#!/usr/bin/env bash
# Stops the cluster that start-cluster.sh started in WORKDIR and makes sure
# that none of its processes is left: the supervisor is asked first (it stops
# kube-apiserver, then etcd), whatever remains gets SIGTERM, then SIGKILL.
#
# Usage: src/test/cluster/stop-cluster.sh WORKDIR
#
# Exit 0 when no process of the cluster is left (also when none was running),
# 1 when some survived SIGKILL. Only processes that are this cluster's are
# touched: the supervisor, etcd and kube-apiserver binaries whose command line
# names WORKDIR. The work directory (logs, audit log, kubeconfig) is kept;
# cluster.env, which exists only while the cluster runs, is removed.
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 WORKDIR" >&2
  exit 2
fi
if [[ ! -d "$1" ]]; then
  echo "stop-cluster.sh: $1: no such directory; nothing to stop"
  exit 0
fi
workdir="$(cd "$1" && pwd)"
physical="$(cd "$1" && pwd -P)"

# alive PID: the process exists and is not a zombie.
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z && "${stat:0:1}" != X ]]
}

# ours PID: one of the cluster's programs, with WORKDIR in its arguments.
ours() {
  local pid="$1" exe arg
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  local -a argv=()
  mapfile -d '' -t argv <"/proc/$pid/cmdline" 2>/dev/null || return 1
  [[ ${#argv[@]} -gt 0 ]] || return 1
  exe="${argv[0]##*/}"
  case "$exe" in
    e2e-cluster | etcd | kube-apiserver) ;;
    *) return 1 ;;
  esac
  for arg in "${argv[@]:1}"; do
    case "$arg" in
      "$workdir" | "$workdir"/* | *="$workdir"/* | "$physical" | "$physical"/* | *="$physical"/*) return 0 ;;
    esac
  done
  return 1
}

# find_ours: the live processes of this cluster, one pid a line. The pid files
# are hints; the scan also finds processes whose pid files are gone.
find_ours() {
  local pid f
  local -A seen=()
  for f in "$workdir"/pids/*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(tr -dc '0-9' <"$f")"
    [[ -n "$pid" ]] && seen[$pid]=1
  done
  for f in /proc/[0-9]*; do
    seen[${f#/proc/}]=1
  done
  for pid in "${!seen[@]}"; do
    [[ "$pid" == "$$" ]] && continue
    if alive "$pid" && ours "$pid"; then
      echo "$pid"
    fi
  done
}

# wait_gone SECONDS PID...: wait until none of the pids is alive.
wait_gone() {
  local limit=$(( $1 * 10 )) i pid left; shift
  for (( i = 0; i < limit; i++ )); do
    left=0
    for pid in "$@"; do
      alive "$pid" && left=1
    done
    (( left )) || return 0
    sleep 0.1
  done
  return 1
}

mapfile -t pids < <(find_ours)
if [[ ${#pids[@]} -eq 0 ]]; then
  echo "stop-cluster.sh: no cluster process running for $workdir"
  rm -f "$workdir"/pids/*.pid "$workdir/cluster.env"
  exit 0
fi

supervisors=()
for pid in "${pids[@]}"; do
  if [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *" supervise "* ]]; then
    supervisors+=("$pid")
  fi
done

# 1. The supervisor stops kube-apiserver, then etcd, each with a grace period.
if [[ ${#supervisors[@]} -gt 0 ]]; then
  echo "stop-cluster.sh: asking the supervisor (pid ${supervisors[*]}) to stop the cluster"
  kill -TERM "${supervisors[@]}" 2>/dev/null
  wait_gone 30 "${pids[@]}"
fi

# 2. Whatever is left (a supervisor that was killed, a stuck child): its whole
#    process group gets SIGTERM, then SIGKILL.
mapfile -t pids < <(find_ours)
for signal in TERM KILL; do
  [[ ${#pids[@]} -gt 0 ]] || break
  echo "stop-cluster.sh: sending SIG$signal to ${pids[*]}"
  for pid in "${pids[@]}"; do
    pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')"
    # A group is signalled only through its leader, the supervisor: that
    # group holds nothing but the cluster's processes.
    if [[ -n "$pgid" && "$pgid" == "$pid" ]]; then
      kill "-$signal" -- "-$pgid" 2>/dev/null
    fi
    kill "-$signal" "$pid" 2>/dev/null
  done
  wait_gone 10 "${pids[@]}"
  mapfile -t pids < <(find_ours)
done

if [[ ${#pids[@]} -gt 0 ]]; then
  echo "stop-cluster.sh: still running after SIGKILL: ${pids[*]}" >&2
  ps -o pid,pgid,stat,args -p "$(IFS=,; echo "${pids[*]}")" >&2
  exit 1
fi
rm -f "$workdir"/pids/*.pid "$workdir/cluster.env"
echo "stop-cluster.sh: cluster in $workdir stopped"
