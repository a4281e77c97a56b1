#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time from its seed corpus (the repo's corpus is read,
# never written: new inputs go to a scratch copy). A crash leaves its input in the build folder
# and fails the run. Usage: tests/fuzz/run.sh [seconds-per-target] [build-dir]
set -uo pipefail
seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${2:-$here/../../build-fuzz}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for target in config ssescanner http1 request anthropic stream callerapis; do
    binary="$build/tests/fuzz/fuzz_$target"
    mkdir -p "$work/$target"
    if "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-$target-" \
        "$work/$target" "$here/corpus/$target" >"$work/$target.log" 2>&1; then
        passed=$((passed + 1))
        echo "PASS: fuzz_$target: $(grep -E '^stat::number_of_executed_units' "$work/$target.log" | awk '{print $2}') runs in ${seconds} s"
    else
        failed=$((failed + 1))
        echo "FAIL: fuzz_$target"
        grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$work/$target.log" | head -20
        tail -40 "$work/$target.log"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
