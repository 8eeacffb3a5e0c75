#!/usr/bin/env bash
# Development certificates for podguard: a CA and a serving certificate signed by it, written to
# certs/generated/ (git-ignored). Uses podguard's own `certs` command (BouncyCastle), so no
# openssl is needed.
#
#   certs/generate.sh                      # localhost and 127.0.0.1
#   certs/generate.sh podguard.podguard-system.svc
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar="$root/target/podguard.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && ./mvnw -q -DskipTests package)
fi
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  names=(localhost 127.0.0.1)
fi
"$root/bin/podguard" certs --out "$root/certs/generated" "${names[@]}"
