#!/usr/bin/env bash
# Proxy overhead side by side (SPEC §11, issue 9): the same fixed-answer upstream (nginx
# `return 200`) called directly, through nginx as a reverse proxy, and through Switchyard, in
# one run, with wrk. Prints each figure and its ratio. Loopback only; every run is bounded.
# Usage: tests/bench/proxy.sh [build-dir] [seconds-per-run]
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
seconds="${2:-5}"
here="$(cd "$(dirname "$0")" && pwd)"
command -v nginx >/dev/null && command -v wrk >/dev/null || {
    echo "needs nginx and wrk: apt-get install -y nginx-light wrk" >&2
    exit 2
}
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
upstream=$(free_port)
proxy=$(free_port)
gateway=$(free_port)
sampled=$(free_port)
dead=$(free_port)

body='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}'
mkdir -p "$work/logs"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/logs;
    proxy_temp_path $work/logs;
    upstream fixed { server 127.0.0.1:$upstream; keepalive 64; }
    server {
        listen 127.0.0.1:$upstream;
        location / { default_type application/json; return 200 '$body'; }
    }
    server {
        listen 127.0.0.1:$proxy;
        location / { proxy_pass http://fixed; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"

# SWITCHYARD_BENCH_WORKERS: the gateway's I/O threads, for an A/B (default: its own, one per core).
workers=""
[ -n "${SWITCHYARD_BENCH_WORKERS:-}" ] && workers=", \"workers\": $SWITCHYARD_BENCH_WORKERS"
cat > "$work/switchyard.json" <<CONF
{"listen": "127.0.0.1:$gateway",
 "providers": {"fixed": {"base_url": "http://127.0.0.1:$upstream/v1"},
               "dead": {"base_url": "http://127.0.0.1:$dead/v1"}},
 "routes": {"live": {"provider": "fixed", "model": "bench"},
            "dead": {"provider": "dead", "model": "bench"},
            "dead-unbroken": {"provider": "dead", "model": "bench",
                              "breaker": {"consecutive_failures": 100000000, "window": 10000, "min_calls": 10000}}},
 "lanes": {"main": {"chain": ["live"]},
           "dead-first": {"chain": ["dead", "live"], "retry": {"max_retries": 0}},
           "dead-first-no-breaker": {"chain": ["dead-unbroken", "live"], "retry": {"max_retries": 0}}},
 "default_lane": "main",
 "traces": {"max_count": 20000}$workers}
CONF
XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" QT_LOGGING_RULES="switchyard.proxy.info=false" \
    "$build/app/switchyard" --headless --config "$work/switchyard.json" 2>"$work/gateway.log" &
pids+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$gateway/healthz" && break; sleep 0.1; done

# wrk prints latency percentiles in us/ms/s; report them in ms.
ms() { awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.3f", v }' <<<"$1"; }
run() { # url connections model -> "p50 p99 requests_per_second"
    local out
    out=$(SWITCHYARD_MODEL="$3" wrk -t "$(( $2 > 1 ? 2 : 1 ))" -c "$2" -d "${seconds}s" --latency -s "$here/post.lua" "$1")
    echo "$(ms "$(awk '/^ *50%/ {print $2}' <<<"$out")") $(ms "$(awk '/^ *99%/ {print $2}' <<<"$out")") $(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
}
direct_url="http://127.0.0.1:$upstream/v1/chat/completions"
proxy_url="http://127.0.0.1:$proxy/v1/chat/completions"
gateway_url="http://127.0.0.1:$gateway/v1/chat/completions"

run "$gateway_url" 4 main >/dev/null # warm-up: connections, caches
read -r d1_p50 d1_p99 _ <<<"$(run "$direct_url" 1 main)"
read -r n1_p50 n1_p99 _ <<<"$(run "$proxy_url" 1 main)"
read -r g1_p50 g1_p99 _ <<<"$(run "$gateway_url" 1 main)"
# The same gateway writing a tenth of its plain successes' traces (traces.success_sample_ratio):
# on a two-core machine the trace writer's disk work is what the one-connection p99 pays for.
sed -e "s/127.0.0.1:$gateway/127.0.0.1:$sampled/" -e 's/"max_count": 20000}/"max_count": 20000, "success_sample_ratio": 0.1}/' \
    "$work/switchyard.json" >"$work/sampled.json"
XDG_DATA_HOME="$work/data-sampled" XDG_CONFIG_HOME="$work/config" QT_LOGGING_RULES="switchyard.proxy.info=false" \
    "$build/app/switchyard" --headless --config "$work/sampled.json" 2>"$work/sampled.log" &
sampled_pid=$!
pids+=($sampled_pid)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$sampled/healthz" && break; sleep 0.1; done
run "http://127.0.0.1:$sampled/v1/chat/completions" 4 main >/dev/null # warm-up
read -r s1_p50 s1_p99 _ <<<"$(run "http://127.0.0.1:$sampled/v1/chat/completions" 1 main)"
read -r _ _ s32 <<<"$(run "http://127.0.0.1:$sampled/v1/chat/completions" 32 main)"
kill "$sampled_pid"; wait "$sampled_pid" 2>/dev/null || true # not beside the runs that follow
# QNetworkAccessManager alone against the same upstream: the floor of a QNAM-based relay.
read -r q1_p50 q1_p99 _ <<<"$("$build/tests/bench/bench_qnam" "$direct_url" "$seconds")"
read -r _ _ d32 <<<"$(run "$direct_url" 32 main)"
read -r _ _ n32 <<<"$(run "$proxy_url" 32 main)"
read -r _ _ g32 <<<"$(run "$gateway_url" 32 main)"
read -r x_p50 x_p99 _ <<<"$(run "$gateway_url" 1 dead-first-no-breaker)"
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"model":"dead-first","messages":[]}' "$gateway_url" # opens nothing yet; the breaker needs a few
for _ in $(seq 10); do curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d '{"model":"dead-first","messages":[]}' "$gateway_url"; done
read -r o_p50 o_p99 _ <<<"$(run "$gateway_url" 1 dead-first)"
admin_token=$(XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" "$build/app/switchyard" admin-token --config "$work/switchyard.json")
dead_state=$(curl -s -H "Authorization: Bearer $admin_token" "http://127.0.0.1:$gateway/admin/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["routes"]["dead"]["state"])')

python3 - "$d1_p50" "$d1_p99" "$n1_p50" "$n1_p99" "$g1_p50" "$g1_p99" "$d32" "$n32" "$g32" "$x_p50" "$x_p99" "$o_p50" "$o_p99" "$dead_state" "$q1_p50" "$q1_p99" "$s1_p50" "$s1_p99" "$s32" <<'PY'
import sys
d50, d99, n50, n99, g50, g99, d32, n32, g32, x50, x99, o50, o99 = map(float, sys.argv[1:14])
state = sys.argv[14]
q50, q99 = map(float, sys.argv[15:17])
s50, s99, s32 = map(float, sys.argv[17:20])
print("Proxy overhead on loopback, side by side (wrk; nginx `return 200` upstream)")
print(f"{'':34}{'direct':>10}{'nginx proxy':>13}{'switchyard':>12}")
print(f"{'latency p50, 1 connection (ms)':34}{d50:>10.3f}{n50:>13.3f}{g50:>12.3f}")
print(f"{'latency p99, 1 connection (ms)':34}{d99:>10.3f}{n99:>13.3f}{g99:>12.3f}")
print(f"{'throughput, 32 connections (req/s)':34}{d32:>10.0f}{n32:>13.0f}{g32:>12.0f}")
print(f"added p50: nginx {n50 - d50:.3f} ms, switchyard {g50 - d50:.3f} ms (target <= 0.5)")
print(f"added p99: nginx {n99 - d99:.3f} ms, switchyard {g99 - d99:.3f} ms (target <= 2)")
print(f"writing a tenth of plain successes' traces (traces.success_sample_ratio 0.1): p50 {s50:.3f} ms, "
      f"p99 {s99:.3f} ms, added {s50 - d50:.3f} / {s99 - d99:.3f} ms (issue 20: <= 0.1 / <= 0.5); "
      f"throughput {s32 / n32:.1%} of nginx proxy (issue 20: >= 50%)")
print(f"QNetworkAccessManager alone, 1 connection: p50 {q50:.3f} ms (added {q50 - d50:.3f}), p99 {q99:.3f} ms;"
      f" switchyard's whole relay adds {(g50 - d50) / max(q50 - d50, 1e-9):.0%} of what QNAM alone adds")
print(f"throughput: switchyard / nginx proxy = {g32 / n32:.1%} (target >= 15%), switchyard / direct = {g32 / d32:.1%}")
print(f"dead primary (connection refused) before its breaker opens: p50 {x50:.3f} ms, added {x50 - g50:.3f} ms (target <= 5)")
print(f"dead primary after its breaker opened ({state}): p50 {o50:.3f} ms, added {o50 - g50:.3f} ms (target 0)")
PY
