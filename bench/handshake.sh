#!/usr/bin/env bash
# CPU podguard spends per new TLS connection (full handshake, no session resumption, as
# kube-apiserver opens beyond its 25 idle connections per host), with the ECDSA P-256
# certificate `podguard certs` makes against an RSA 2048 one (an older podguard's, or a user's).
#   bench/handshake.sh [ROUNDS] [SECONDS]     (default 3 rounds of 10 s per key type, alternating)
# Both servers run side by side; each round drives one at a time with `openssl s_time -new`
# (one connection at a time, TLS 1.3, X25519) and reads the server's utime+stime from /proc.
# Run it under the exclusive lock on a shared machine; SKIP_BUILD=true uses target/podguard.jar.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
STAMP=$(date -u +%Y%m%d-%H%M%S)
WORK="$ROOT/bench/results/tmp/handshake-$STAMP"
OUT="$ROOT/bench/results/experiment-handshake"
mkdir -p "$WORK"
[[ -f target/podguard.jar && "${SKIP_BUILD:-false}" == true ]] || ./mvnw -q -DskipTests package
UPTIME_BEFORE=$(uptime)

"$JAVA" -jar target/podguard.jar certs -o "$WORK/ecdsa" localhost 127.0.0.1 >/dev/null
mkdir -p "$WORK/rsa"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/rsa/tls.key" -out "$WORK/rsa/tls.crt" -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A PORT PID
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for key in ecdsa rsa; do
  PORT[$key]=$(free_port); mport=$(free_port)
  "$JAVA" -jar target/podguard.jar serve --port="${PORT[$key]}" --management-port="$mport" \
    --tls-cert="$WORK/$key/tls.crt" --tls-key="$WORK/$key/tls.key" --logging.level.root=WARN > "$WORK/$key.log" 2>&1 &
  PID[$key]=$!; PIDS+=("$!")
  until curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz"; do
    kill -0 "${PID[$key]}" 2>/dev/null || { echo "handshake: podguard ($key) exited; see $WORK/$key.log" >&2; exit 1; }
    sleep 0.05
  done
done

# utime+stime of a process, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# One run: prints "connections cpu_seconds wall_seconds".
run() {
  local key=$1 secs=$2 before after out n
  before=$(ticks "${PID[$key]}")
  out=$(openssl s_time -connect "127.0.0.1:${PORT[$key]}" -new -time "$secs" 2>&1)
  after=$(ticks "${PID[$key]}")
  n=$(sed -n 's/^\([0-9]*\) connections in \([0-9.]*\)s;.*/\1/p' <<<"$out" | head -1)
  [[ -n "$n" ]] || { echo "handshake: openssl s_time said: $out" >&2; exit 1; }
  echo "$n $(echo "($after - $before) / $HZ" | bc -l) $secs"
}

# Warm-up: the JIT compiles the handshake path of both.
for key in ecdsa rsa; do run "$key" 5 >/dev/null; done
RESULTS=""
for r in $(seq "$ROUNDS"); do
  for key in ecdsa rsa; do
    RESULTS+="$r $key $(run "$key" "$SECONDS_PER_RUN")"$'\n'
  done
done
UPTIME_AFTER=$(uptime)
KEYS="ecdsa=$(openssl x509 -in "$WORK/ecdsa/tls.crt" -noout -text | grep -m1 'Public Key Algorithm' | sed 's/.*: //') \
rsa=$(openssl x509 -in "$WORK/rsa/tls.crt" -noout -text | grep -m1 'Public-Key' | sed 's/^ *//')"

python3 - "$OUT" "$STAMP" "$UPTIME_BEFORE" "$UPTIME_AFTER" "$(nproc)" "$("$JAVA" -version 2>&1 | head -1)" "$(openssl version)" <<PY
import json, statistics, sys
out, stamp, up0, up1, cpus, java, ossl = sys.argv[1:]
rows = [l.split() for l in """$RESULTS""".strip().splitlines()]
runs = [{"round": int(r), "key": k, "connections": int(n), "cpu_s": round(float(c), 3), "wall_s": float(w),
         "cpu_ms_per_handshake": round(1000 * float(c) / int(n), 3), "handshakes_per_s": round(int(n) / float(w), 1)}
        for r, k, n, c, w in rows]
summary = {}
for k in ("ecdsa", "rsa"):
    mine = [x for x in runs if x["key"] == k]
    summary[k] = {"cpu_ms_per_handshake_median": round(statistics.median(x["cpu_ms_per_handshake"] for x in mine), 3),
                  "cpu_ms_per_handshake_all": [x["cpu_ms_per_handshake"] for x in mine],
                  "handshakes_per_s_median": round(statistics.median(x["handshakes_per_s"] for x in mine), 1)}
ratio = round(summary["ecdsa"]["cpu_ms_per_handshake_median"] / summary["rsa"]["cpu_ms_per_handshake_median"], 2)
doc = {"stamp": stamp, "what": "podguard CPU (utime+stime from /proc) per new TLS connection, openssl s_time -new, TLS 1.3, one connection at a time",
       "keys": """$KEYS""", "cpus": int(cpus), "java": java, "client": ossl, "uptime_before": up0, "uptime_after": up1,
       "runs": runs, "summary": summary, "ecdsa_over_rsa_cpu": ratio}
json.dump(doc, open(out + ".json", "w"), indent=2)
with open(out + ".md", "w") as f:
    f.write(f"# TLS handshake cost: ECDSA P-256 vs RSA 2048 ({stamp} UTC)\n\n")
    f.write("podguard's CPU (utime+stime of the server process, from /proc) per new TLS connection: "
            "full handshake, no session resumption, accept and close included. Client: "
            f"\`openssl s_time -new\` ({ossl}), TLS 1.3 with X25519, one connection at a time, {len(runs)//2} alternating rounds "
            f"of $SECONDS_PER_RUN s per key after a 5 s warm-up of each. Both servers run side by side; the idle one is not measured. "
            f"Produced by \`bench/handshake.sh\` under the exclusive lock; {cpus} CPUs, {java}.\n\n")
    f.write(f"- uptime before: \`{up0.strip()}\`\n- uptime after: \`{up1.strip()}\`\n\n")
    f.write("| serving key | CPU per handshake, ms (median) | all rounds, ms | handshakes/s (median, one client) |\n| --- | --- | --- | --- |\n")
    names = {"ecdsa": "ECDSA P-256 (\`podguard certs\`, chart default)", "rsa": "RSA 2048 (openssl; as older podguard made)"}
    for k in ("ecdsa", "rsa"):
        s = summary[k]
        f.write(f"| {names[k]} | {s['cpu_ms_per_handshake_median']} | {', '.join(map(str, s['cpu_ms_per_handshake_all']))} | {s['handshakes_per_s_median']} |\n")
    f.write(f"\nECDSA / RSA CPU per handshake: **{ratio}**.\n\n| round | key | connections | server CPU, s | ms per handshake |\n| --- | --- | --- | --- | --- |\n")
    for x in runs:
        f.write(f"| {x['round']} | {x['key']} | {x['connections']} | {x['cpu_s']} | {x['cpu_ms_per_handshake']} |\n")
print(open(out + ".md").read())
PY
