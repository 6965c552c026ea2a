#!/usr/bin/env bash
# Issue 10's load: N appointments (default 1,000) calling through `callctl serve`'s lifecycle
# API at once, each a full cycle (request, accept, started x2, heartbeat x2, end: 7 requests),
# with a subscriber on every appointment channel signed through /broadcasting/auth. Reports
# cycles/s, cycle and request p50/p99, and events emitted (outbox rows) vs received by the
# subscribers, which must be equal. Baseline in the same run, same connections: each sends
# 7 GET /healthz at once (client, HTTP and loopback without the database).
#
# Bounded (--duration, default 180 s), loopback only, a throwaway PostgreSQL of its own;
# everything started is stopped on exit, also on Ctrl-C. Exit status nonzero when the run
# failed or an event was lost or duplicated.
#
# Overload: a request that finds every database connection busy waits at most --pool-timeout
# (POOL_TIMEOUT, default 2000 ms, the daemon's default) and is then answered 503 overloaded
# with Retry-After; the client counts it as shed, waits Retry-After and sends it again.
# Reported: admitted requests and their p99 and max, the shed share and how fast a 503 came,
# and serve's peak RSS (VmHWM).
#
# Usage: bench/load.sh [--appointments 1000] [--duration 180]     SCRATCH=.build-bench POOL=16 POOL_TIMEOUT=2000
#        CALLCTL=.build/debug/callctl bench/load.sh --appointments 50    (a quick check with another binary)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
appointments=1000
duration=180
while [ $# -gt 0 ]; do
    case "$1" in
        --appointments) appointments=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        *) echo "usage: bench/load.sh [--appointments N] [--duration S]" >&2; exit 64 ;;
    esac
done

source bench/lib/postgres.sh
serve_pid=
stop_on_exit serve_pid

callctl_release "$scratch"

seeded_database "$appointments" 1

export CALLCTL_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export REVERB_APP_ID=1 REVERB_APP_KEY=load-key REVERB_APP_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
run_start=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c "SELECT now()")
serve_port=$(free_port)
# Rate limit above what one user and appointment does in a cycle; enough descriptors for 2 x N sockets.
ulimit -n "$(ulimit -Hn)"
"$callctl" serve --listen "127.0.0.1:$serve_port" --pool-size "${POOL:-16}" --pool-timeout "${POOL_TIMEOUT:-2000}" \
    --max-connections $((4 * appointments + 100)) \
    --max-connections-per-ip $((4 * appointments + 100)) \
    --log-level warning 2>"$pg_work/serve.log" &
serve_pid=$!
wait_healthy "$serve_port"

echo "load: $appointments subscribers, then the baseline and $appointments cycles at once ..." >&2
result=$(python3 bench/lib/load_client.py --port "$serve_port" --appointments "$appointments" --duration "$duration")

peak_rss=$(awk '/^VmHWM/ {print $2}' "/proc/$serve_pid/status")
kill -TERM "$serve_pid"
status=0
wait "$serve_pid" || status=$?
serve_pid=
[ "$status" = 0 ] || { echo "callctl serve exited $status on SIGTERM" >&2; tail -5 "$pg_work/serve.log" >&2; exit 1; }

# This run's rows only: the seeded history (seed_history) is older than the run.
emitted=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE channel LIKE 'private-appointments.%' AND created_at > '$run_start'")
unpublished=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c "SELECT count(*) FROM outbox WHERE published_at IS NULL")
ended=$("$bindir/psql" -X -qAt -d "$DATABASE_URL" -c "SELECT count(*) FROM call_sessions WHERE state = 'ended' AND end_reason = 'hangup' AND requested_at > '$run_start'")

python3 - "$result" "$emitted" "$unpublished" "$ended" "$peak_rss" "${POOL_TIMEOUT:-2000}" <<'PY'
import json, sys
out, emitted, unpublished, ended = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
peak_rss_kb, pool_timeout = int(sys.argv[5]), int(sys.argv[6])
base, load, n = out["baseline"], out["load"], out["appointments"]
print(f"{n} subscribers signed through /broadcasting/auth and subscribed in {out['subscribe_s']} s")
print(f"baseline (7x GET /healthz, {n} at once): {base['cycles_per_s']:8.1f} cycles/s  cycle p50 {base['cycle_ms']['p50']:.1f} ms p99 {base['cycle_ms']['p99']:.1f} ms  request p50 {base['request_ms']['p50']:.2f} ms p99 {base['request_ms']['p99']:.2f} ms")
print(f"lifecycle ({n} appointments at once):   {load['cycles_per_s']:8.1f} cycles/s  cycle p50 {load['cycle_ms']['p50']:.1f} ms p99 {load['cycle_ms']['p99']:.1f} ms  request p50 {load['request_ms']['p50']:.2f} ms p99 {load['request_ms']['p99']:.2f} ms")
print(f"ratio lifecycle/baseline cycles/s: {load['cycles_per_s'] / base['cycles_per_s']:.2f}   calls ended (hangup): {ended} of {n}")
shed, admitted = load["shed"], load["requests"]
print(f"overload (--pool-timeout {pool_timeout} ms): admitted {admitted} requests, p99 {load['request_ms']['p99']:.1f} ms, "
      f"max {load['request_ms']['max']:.1f} ms; shed {shed} ({100 * shed / max(1, shed + admitted):.1f}%) with 503 overloaded "
      f"+ Retry-After in p50 {load['shed_ms']['p50']:.1f} ms, max {load['shed_ms']['max']:.1f} ms, then retried; "
      f"serve peak RSS {peak_rss_kb / 1024:.1f} MB")
print(f"events emitted (outbox rows) {emitted}, received by subscribers {out['received']}; outbox rows unpublished {unpublished}; "
      f"subscribers short {out['subscribers_short']}, over {out['subscribers_over']}, connections lost {out['subscribers_lost']}")
ev, tr = out["event_ms"], out["trigger_ms"]
print(f"event latency, request sent -> the appointment's subscriber has its event ({n} cycles at once): p50 {ev['p50']:.2f} ms p99 {ev['p99']:.2f} ms "
      f"({ev['count']} events); HTTP API trigger -> receive, {n} channels at once: p50 {tr['p50']:.2f} ms p99 {tr['p99']:.2f} ms "
      f"({tr['count']} of {tr['expected']}); ratio p50 {ev['p50'] / max(0.01, tr['p50']):.2f}, p99 {ev['p99'] / max(0.01, tr['p99']):.2f} "
      f"(target <= 3: {'met' if ev['p99'] <= 3 * tr['p99'] and ev['p50'] <= 3 * tr['p50'] else 'MISSED'}); "
      f"the event after the request's answer: p50 {out['event_after_answer_ms']['p50']:.2f} ms p99 {out['event_after_answer_ms']['p99']:.2f} ms")
ok = emitted == out["received"] == 5 * n and unpublished == 0 and ended == n and out["subscribers_lost"] == 0
print("events emitted = received: " + ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
PY
