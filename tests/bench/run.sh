#!/usr/bin/env bash
# Runs every benchmark and prints its table. Usage: tests/bench/run.sh [build-dir]
# The proxy comparison needs nginx and wrk (apt-get install -y nginx-light wrk).
set -euo pipefail
build="${1:-build}"
here="$(dirname "$0")"
"$here/proxy.sh" "$build" 5
echo
"$build/tests/bench/bench_stream" 20
echo
"$build/tests/bench/bench_streams" 1000 20 100
echo
"$build/tests/bench/bench_h2" 1000 20 100
echo
"$build/tests/bench/bench_memory" 100000
echo
"$build/tests/bench/bench_ui_stall" 1000 10
