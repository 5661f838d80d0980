#!/bin/bash
# Benchmarks the example server against OpenSSH's sshd on this machine:
# memory per idle connection, CPU per login, echo throughput per cipher.
# Not part of the test suite; takes a few minutes. See bench/README.md.
#
#   bench/run.sh [--connections 100] [--logins 500] [--mib 256]
#                [--servers hosts_server,sshd] [--skip memory,cpu,throughput] [--heap]
#
# HS_BUILD_DIR picks the build (default build/, built here if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export HS_BUILD_DIR=${HS_BUILD_DIR:-$ROOT/build}

"$ROOT/scripts/deps.sh"
cmake -S "$ROOT" -B "$HS_BUILD_DIR" >/dev/null
cmake --build "$HS_BUILD_DIR" -j2 --target hosts_server >/dev/null

exec /usr/bin/python3 "$ROOT/bench/bench.py" "$@"
