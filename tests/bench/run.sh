#!/usr/bin/env bash
# Runs every benchmark and prints its table. Usage: tests/bench/run.sh [build-dir]
set -euo pipefail
build="${1:-build}"
"$build/tests/bench/bench_memory" 100000
echo
"$build/tests/bench/bench_ui_stall" 1000 10
