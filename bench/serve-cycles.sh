#!/usr/bin/env bash
# Full call cycles (request -> accept -> started -> end) per second through `callctl serve`
# (release build) with WORKERS concurrent appointments, and the cycle and request latency
# percentiles, against a baseline measured in the same run: the same client sending four
# GET /healthz per cycle (HTTP, JSON and client cost without the lifecycle's transactions).
# Target (issue 5): >= 500 cycles/s and request p99 < 50 ms with 50 concurrent appointments.
#
# Runs on a throwaway PostgreSQL of its own with default durability (fsync and synchronous
# commit on; PG_OPTIONS="-c synchronous_commit=off" to compare), removed on exit; the daemon
# is stopped with SIGTERM and must exit 0.
#
# Usage: bench/serve-cycles.sh            SCRATCH=.build-bench WORKERS=50 DURATION=15 POOL=16
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
workers=${WORKERS:-50}
duration=${DURATION:-15}
per_worker=${PER_WORKER:-2000}

source bench/lib/postgres.sh
serve_pid=
stop_on_exit serve_pid

callctl_release "$scratch"

seeded_database "$workers" "$per_worker"

secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
serve_port=$(free_port)
CALLCTL_JWT_SECRET=$secret REVERB_APP_ID=1 REVERB_APP_KEY=bench-key REVERB_APP_SECRET=$secret "$callctl" serve --listen "127.0.0.1:$serve_port" --pool-size "${POOL:-16}" --log-level warning \
    2>"$pg_work/serve.log" &
serve_pid=$!
wait_healthy "$serve_port"

client() {
    python3 bench/lib/cycle_client.py --host 127.0.0.1 --port "$serve_port" --secret "$secret" --workers "$workers" \
        --duration "$duration" --first-user 1 --first-appointment 1 --per-worker "$per_worker" "$@"
}
# cpu_ms PID...: user + system CPU time of the processes and their children so far, in ms.
cpu_ms() {
    local ticks=0 pid
    for pid in "$@" $(pgrep -P "$(echo "$@" | tr ' ' ',')" 2>/dev/null); do
        ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo $((ticks * 1000 / $(getconf CLK_TCK)))
}
postmaster=$(head -1 "$pg_work/data/postmaster.pid")
echo "baseline: $workers connections x 4 GET /healthz per cycle for ${duration}s ..." >&2
baseline=$(client --baseline)
echo "lifecycle: $workers concurrent appointments, full cycles for ${duration}s ..." >&2
serve_before=$(cpu_ms "$serve_pid"); pg_before=$(cpu_ms "$postmaster")
cycles=$(client)
cpu="$(( $(cpu_ms "$serve_pid") - serve_before )) $(( $(cpu_ms "$postmaster") - pg_before ))"

kill -TERM "$serve_pid"
status=0
wait "$serve_pid" || status=$?
serve_pid=
[ "$status" = 0 ] || { echo "callctl serve exited $status on SIGTERM" >&2; tail -5 "$pg_work/serve.log" >&2; exit 1; }

rows=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c \
    "SELECT (SELECT count(*) FROM call_sessions WHERE state = 'ended') || ' sessions ended, ' ||
            (SELECT count(*) FROM outbox) || ' outbox rows, ' || (SELECT count(*) FROM appointment_call_events) || ' audit rows'")

python3 - "$baseline" "$cycles" "$rows" "$workers" "$cpu" <<'PY'
import json, sys
base, run, rows, workers = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
serve_cpu, pg_cpu = (int(v) for v in sys.argv[5].split())
print(f"baseline (4x GET /healthz): {base['cycles_per_s']:8.1f} cycles/s   request p50 {base['request_ms']['p50']:.2f} ms  p99 {base['request_ms']['p99']:.2f} ms")
print(f"lifecycle ({workers} concurrent):  {run['cycles_per_s']:8.1f} cycles/s   request p50 {run['request_ms']['p50']:.2f} ms  p99 {run['request_ms']['p99']:.2f} ms   cycle p99 {run['cycle_ms']['p99']:.2f} ms")
print(f"ratio lifecycle/baseline: {run['cycles_per_s'] / base['cycles_per_s']:.2f}   non-200 answers: {run['failures']} (baseline {base['failures']})")
print(f"database after the run: {rows}")
print(f"CPU per cycle: callctl serve {serve_cpu / max(1, run['cycles']):.2f} ms, PostgreSQL {pg_cpu / max(1, run['cycles']):.2f} ms (4 requests, 4 transactions)")
print(f"target: >= 500 cycles/s: {'met' if run['cycles_per_s'] >= 500 else 'MISSED'};  request p99 < 50 ms: {'met' if run['request_ms']['p99'] < 50 else 'MISSED'}")
PY
