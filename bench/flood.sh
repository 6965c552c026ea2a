#!/usr/bin/env bash
# Issue 16: the lifecycle API while one hostile client floods the hub. Measures full call
# cycles (request -> accept -> started -> end) with WORKERS concurrent appointments twice in one
# run against one `callctl serve` (release build, default limits): first alone (the baseline),
# then while bench/lib/flood_client.py, from the same address and with only the public app key,
# opens SOCKETS WebSockets and subscribes to public channels as fast as the daemon takes them.
# Prints both request p50/p99, their ratio (goal: flood p99 within 2x of the baseline), what the
# daemon granted and refused the flood, and the hub_subscriptions rows it left (bounded by the
# per-address connection cap x the per-connection channel cap).
#
# A throwaway PostgreSQL of its own, loopback only, everything stopped on exit.
#
# Usage: bench/flood.sh            SCRATCH=.build-bench WORKERS=50 DURATION=10 SOCKETS=200
#        CALLCTL=.build/debug/callctl bench/flood.sh   (another binary)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
workers=${WORKERS:-50}
duration=${DURATION:-10}
sockets=${SOCKETS:-200}
per_worker=400

source bench/lib/postgres.sh
serve_pid=
flood_pid=
stop_on_exit flood_pid serve_pid

callctl_release "$scratch"

seeded_database "$workers" "$per_worker"

secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export CALLCTL_JWT_SECRET=$secret REVERB_APP_ID=1 REVERB_APP_KEY=flood-key REVERB_APP_SECRET=$secret
unset CALLCTL_JWT_PUBLIC_KEY CALLCTL_PUSHER_APPS CALLCTL_PUSHER_URL
serve_port=$(free_port)
ulimit -n "$(ulimit -Hn)"
"$callctl" serve --listen "127.0.0.1:$serve_port" --log-level warning 2>"$pg_work/serve.log" &
serve_pid=$!
wait_healthy "$serve_port"

client() {  # client FIRST-APPOINTMENT: cycles for $duration s on each worker's appointments from that offset
    python3 bench/lib/cycle_client.py --host 127.0.0.1 --port "$serve_port" --secret "$secret" --workers "$workers" \
        --duration "$duration" --first-user 1 --first-appointment "$1" --per-worker "$per_worker"
}
echo "baseline: $workers concurrent appointments, full cycles for ${duration}s ..." >&2
baseline=$(client 1)
echo "flood: $sockets sockets from one address, then the same cycles for ${duration}s ..." >&2
python3 bench/lib/flood_client.py --port "$serve_port" --sockets "$sockets" --duration $((duration + 4)) >"$pg_work/flood.json" &
flood_pid=$!
sleep 2
# cpu_ms PID: user + system CPU time of the process so far, in ms.
cpu_ms() { echo $(( $(awk '{print $14 + $15}' "/proc/$1/stat") * 1000 / $(getconf CLK_TCK) )); }
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status")
serve_cpu=$(cpu_ms "$serve_pid"); flood_cpu=$(cpu_ms "$flood_pid"); started=$(date +%s%N)
flooded=$(client $((1 + per_worker / 2)))
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
cpu="$(( $(cpu_ms "$serve_pid") - serve_cpu )) $(( $(cpu_ms "$flood_pid") - flood_cpu )) $elapsed_ms"
rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$serve_pid/status")
rows=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c "SELECT count(*) FROM hub_subscriptions")
wait "$flood_pid"
flood_pid=

kill -TERM "$serve_pid"
status=0
wait "$serve_pid" || status=$?
serve_pid=
[ "$status" = 0 ] || { echo "callctl serve exited $status on SIGTERM" >&2; tail -5 "$pg_work/serve.log" >&2; exit 1; }

python3 - "$baseline" "$flooded" "$(cat "$pg_work/flood.json")" "$rows" "$rss_before" "$rss_after" "$cpu" <<'PY'
import json, sys
base, flood, hostile = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
rows, rss_before, rss_after = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
serve_cpu, flood_cpu, elapsed = (int(v) for v in sys.argv[7].split())
line = lambda name, r: (f"{name}: {r['cycles_per_s']:7.1f} cycles/s  request p50 {r['request_ms']['p50']:.2f} ms  "
                        f"p99 {r['request_ms']['p99']:.2f} ms  failures {r['failures']}")
print(line("lifecycle alone     ", base))
print(line("lifecycle under flood", flood))
ratio = flood["request_ms"]["p99"] / max(base["request_ms"]["p99"], 0.001)
print(f"request p99 ratio flood/alone: {ratio:.2f} (goal <= 2)")
print(f"flood: {hostile['opened']} sockets opened, {hostile['refused']} refused with 4004, {hostile['connect_failed']} refused before the "
      f"upgrade (429), {hostile['subscribed']} subscriptions granted, "
      f"{hostile['limit_reached']} LimitReached, {hostile['rate_limited']} rate-limited (4301)")
print(f"hub_subscriptions rows during the flood: {rows}; serve RSS {rss_before} -> {rss_after} KiB")
print(f"CPU during the flooded phase ({elapsed / 1000:.1f} s): serve {serve_cpu / elapsed:.2f} cores, "
      f"the flooding client itself {flood_cpu / elapsed:.2f} cores (on this machine's {__import__('os').cpu_count()})")
sys.exit(0 if base["failures"] == 0 and flood["failures"] == 0 else 1)
PY
