#!/usr/bin/env bash
# Runs lupdate over the sources into a copy of every catalogue and fails on any string that is
# new (not yet in the catalogue) or unfinished: every tr() string must be translated.
set -euo pipefail
lupdate="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failed=0
passed=0
for ts in "$source_dir"/translations/*.ts; do
    copy="$work/$(basename "$ts")"
    cp "$ts" "$copy"
    "$lupdate" -no-obsolete -locations none -extensions cpp,h \
        "$source_dir/core" "$source_dir/ui" "$source_dir/app" -ts "$copy" >"$work/lupdate.log" 2>&1
    cat "$work/lupdate.log"
    if grep -q 'type="unfinished"' "$copy"; then
        failed=$((failed + 1))
        echo "FAIL: $(basename "$ts") lacks translations for:"
        grep -B3 'type="unfinished"' "$copy" | grep '<source>' | sed 's/^ */  /'
    else
        passed=$((passed + 1))
        echo "PASS: $(basename "$ts") translates every string ($(grep -c '<message' "$copy") of them)"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
