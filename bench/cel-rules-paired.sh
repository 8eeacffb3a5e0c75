#!/usr/bin/env bash
# CEL rules over HTTPS, paired: the two servers of bench/cel-rules.sh (the embedded default, and
# the same with 20 CEL rules) loaded at the same time, each by its own wrk with the same number of
# connections. On a machine whose speed drifts from one 10-second round to the next (a shared
# host), alternating rounds measure the drift as much as the rules; loaded together, both servers
# run on the same cores at the same speed and share them, so the ratio of their throughputs is
# close to the ratio of what a review costs each. Not exactly: the server whose reviews take
# longer has more threads waiting for a core and gets more than half of them, so the throughput
# ratio leans towards it; the CPU each server spends per review (from /proc, per round) is the
# unbiased figure, and its ratio (without ÷ with) is what "keeps 0.8 of its throughput" means
# for a server bound by its CPU. Writes bench/results/cel-rules-paired-<time>.md.
#
#   bench/cel-rules-paired.sh                               # build, 5 rounds of 15 s at 4 and at 25 connections each, after 180 s of warm-up
#   SKIP_BUILD=true ROUNDS=3 bench/cel-rules-paired.sh
#
# Environment: REVIEW [bench/reviews/pod-review-rules.json], ROUNDS [5], DURATION [15] s,
# WARMUP [180] s, CONCURRENCY [4,25] (per server), SKIP_BUILD.
set -euo pipefail
NAME=cel-rules-paired
source "$(dirname "$0")/lib/cel-rules-setup.sh"
OUT="$ROOT/bench/results/cel-rules-paired-$STAMP.md"
REVIEW=$(realpath "${REVIEW:-bench/reviews/pod-review-rules.json}")
export REVIEW

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT
start() { # name port mport [args…]
  local name=$1 p=$2 m=$3; shift 3
  "$JAVA" -jar target/podguard.jar serve --port="$p" --management-port="$m" --tls-cert="$WORK/certs/tls.crt" \
    --tls-key="$WORK/certs/tls.key" --logging.level.root=WARN "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
P1=$(port); M1=$(port); P2=$(port); M2=$(port)
start podguard "$P1" "$M1"
start podguard-20rules "$P2" "$M2" --policy="$WORK/twenty-rules.yaml"
for m in "$M1" "$M2"; do
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$m/readyz" >/dev/null && break; sleep 0.5; done
done
cpu() { # CPU seconds of a process so far (user + system)
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}
load() { # conns seconds: both at once; prints "without with" requests/s and "without with" CPU µs per review
  local c=$1 d=$2 t c1 c2
  t=$((c < 2 ? c : 2))
  c1=$(cpu "${PIDS[0]}"); c2=$(cpu "${PIDS[1]}")
  wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s -s bench/lib/review.lua "https://127.0.0.1:$P1/validate?timeout=10s" >"$WORK/a.out" &
  local a=$!
  wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s -s bench/lib/review.lua "https://127.0.0.1:$P2/validate?timeout=10s" >"$WORK/b.out" &
  wait "$a" $!
  local r1 r2
  r1=$(sed -n 's/^Requests\/sec: *//p' "$WORK/a.out"); r2=$(sed -n 's/^Requests\/sec: *//p' "$WORK/b.out")
  python3 -c "print($r1, $r2, round(($(cpu "${PIDS[0]}") - $c1) * 1e6 / ($r1 * $d)), round(($(cpu "${PIDS[1]}") - $c2) * 1e6 / ($r2 * $d)))"
}
IFS=, read -ra CONNS <<<"${CONCURRENCY:-4,25}"
echo "bench: warming both up for ${WARMUP:-180} s" >&2
for c in "${CONNS[@]}"; do load "$c" $(( ${WARMUP:-180} / ${#CONNS[@]} )) >/dev/null; done
{
  echo "# CEL rules, paired: /validate with and without 20 rules, loaded at the same time ($(date -u +%FT%TZ))"
  echo
  echo "Review: \`${REVIEW#"$ROOT"/}\`. ${ROUNDS:-5} rounds of ${DURATION:-15} s per connection count after ${WARMUP:-180} s of"
  echo "warm-up; both servers loaded at once, each by its own wrk with that many connections. Machine: $(nproc) CPUs"
  echo "shared with both load generators; load average at the start $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| connections (each) | round | without rules, req/s | with 20 rules, req/s | throughput ratio | CPU µs per review, without / with | CPU ratio (without ÷ with) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$OUT"
for c in "${CONNS[@]}"; do
  ratios=()
  costs=()
  for r in $(seq 1 "${ROUNDS:-5}"); do
    read -r without with cpu1 cpu2 <<<"$(load "$c" "${DURATION:-15}")"
    ratio=$(python3 -c "print(f'{$with / $without:.2f}')")
    cost=$(python3 -c "print(f'{$cpu1 / $cpu2:.2f}')")
    ratios+=("$ratio")
    costs+=("$cost")
    echo "bench: c=$c round $r: $without / $with req/s, ratio $ratio; CPU $cpu1 / $cpu2 µs per review, ratio $cost" >&2
    echo "| $c | $r | $without | $with | $ratio | $cpu1 / $cpu2 | $cost |" >>"$OUT"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  cmedian=$(printf '%s\n' "${costs[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  echo "| $c | **median** | | | **$median** | | **$cmedian** |" >>"$OUT"
done
echo >>"$OUT"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$OUT"
echo "bench: wrote $OUT" >&2
