#!/usr/bin/env bash
# The Pusher hub of `callctl serve` (release build) under load, issue 6, in one run:
#   1. idle: 10,000 WebSocket connections (each gets pusher:connection_established); serve's
#      VmRSS before the first and 2 s after the last -> KB per idle connection, connect rate
#   2. fan-out: 1,000 of them subscribed to one channel, N events triggered through
#      POST /apps/{id}/events every 100 ms; delivery latency = receive time - send time
#      (carried in the event), p50/p99/max over all deliveries, received == expected
#   3. trigger -> event with one subscriber, sequential: p50/p99
#   4. the baseline, same run, same connections: pusher:ping -> pusher:pong, sequential on
#      one connection, and from all 1,000 subscribers at once (N rounds, 100 ms apart or, when
#      the pongs take longer, as soon as all are in): the floor of client + server + loopback
#      without fan-out or HTTP; ratios fan-out p99 / ping-all p99, trigger p50 / ping p50.
#   Also serve's CPU time per ping and per delivery (phase totals) and while idle.
# Targets: <= 20 KB per idle connection, fan-out p99 <= 20 ms, trigger p50 <= 2 ms; a missed
# target is reported, not an error. Exit status nonzero only when the run failed (an event or
# pong lost, a connection refused, serve not exiting 0 on SIGTERM, the time bound passed).
#
# The load client (bench/lib/hub_load.py) is raw asyncio spread over --procs processes; its
# cost is in the baseline too. serve runs with --activity-timeout 3600 so that its own
# pings to idle clients cannot fall into the measurement. Everything on 127.0.0.1, a
# throwaway PostgreSQL of its own; everything started is stopped on exit, also on Ctrl-C.
#
# Usage: bench/hub.sh [--connections 10000] [--subscribers 1000] [--rounds 50] [--interval 100]
#                     [--sequential 500] [--procs 2] [--duration 150]      SCRATCH=.build-bench
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
connections=10000
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --connections) connections=$2; args+=("$1" "$2"); shift 2 ;;
        --subscribers|--rounds|--interval|--sequential|--procs|--duration) args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done

# Every connection is a descriptor in serve and in one client process: raise the soft limit
# to the hard one (inherited by serve and the client), and stop early when that is too low.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((connections + 500)) ]; then
    echo "open-file limit $(ulimit -n) is too low for $connections connections; raise the hard limit (ulimit -Hn)" >&2
    exit 69
fi

source bench/lib/postgres.sh
serve_pid=
on_exit 'if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; fi'
trap 'exit 130' INT TERM  # so that the EXIT trap (postgres.sh) stops serve and PostgreSQL

callctl_release "$scratch"

pg_start ""
export DATABASE_URL=$(pg_conn postgres)
"$callctl" migrate up --log-level warning >/dev/null

# Random secrets for this run only; the client reads the REVERB_APP_* variables too. Variables
# that would change what serve hosts or where it relays are cleared.
unset CALLCTL_JWT_PUBLIC_KEY CALLCTL_PUSHER_APPS CALLCTL_PUSHER_URL
CALLCTL_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
REVERB_APP_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export CALLCTL_JWT_SECRET REVERB_APP_SECRET REVERB_APP_ID=4242 REVERB_APP_KEY=hub-bench-key

serve_on_free_port "$pg_work/serve.log" --activity-timeout 3600 --message-rate 100000 \
    --max-connections $((connections + 100)) --max-connections-per-ip $((connections + 100))

status=0
result=$(python3 bench/lib/hub_load.py --port "$port" --serve-pid "$serve_pid" "${args[@]}") || status=$?

# serve must shut down cleanly (SIGTERM -> exit 0) after the load.
kill -TERM "$serve_pid"
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=
if [ "$status" != 0 ]; then
    echo "the hub benchmark run failed (load client exit $status); serve's last log lines:" >&2
    tail -5 "$pg_work/serve.log" >&2; exit 1
fi
if [ "$serve_status" != 0 ]; then
    echo "callctl serve exited $serve_status on SIGTERM" >&2; tail -5 "$pg_work/serve.log" >&2; exit 1
fi

# The summary table, the ratios to the baseline, one line per target; exit 1 if events were lost.
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n, s = r["connections"], r["subscribers"]
kb = (r["rss_after_kb"] - r["rss_before_kb"]) / n
print(f"hub benchmark: {n} idle connections, {s} subscribers, {r['rounds']} rounds every {r['interval_ms']:g} ms, "
      f"{r['sequential']} sequential, {r['procs']} client processes")
print(f"idle: {n} connections opened in {r['connect_s']:.2f} s ({n / r['connect_s']:,.0f}/s); serve VmRSS "
      f"{r['rss_before_kb'] / 1024:.1f} MB -> {r['rss_after_kb'] / 1024:.1f} MB = {kb:.1f} KB per idle connection")
print(f"{'latency (ms)':50} {'p50':>8} {'p99':>8} {'max':>8} {'samples':>8}")
for name, key in (("baseline: ping -> pong, 1 connection, sequential", "ping1"),
                  ("trigger -> event, 1 subscriber, sequential", "trigger1"),
                  (f"baseline: ping -> pong, {s} connections at once", "pingall"),
                  (f"trigger -> event, {s} subscribers (fan-out)", "fanout")):
    v = r[key]
    print(f"{name:50} {v['p50']:8.3f} {v['p99']:8.3f} {v['max']:8.3f} {v['n']:8}")
complete = r["fanout_received"] == r["fanout_expected"] == r["fanout"]["n"]
print(f"fan-out deliveries: {r['fanout_received']} received, {r['fanout_expected']} expected"
      + ("" if complete else "  -- EVENTS LOST: the run failed"))
print(f"serve CPU: {r['pingall_cpu_ms'] * 1000 / max(1, r['pingall']['n']):.0f} us per ping-all ping, "
      f"{r['fanout_cpu_ms'] * 1000 / max(1, r['fanout_received']):.0f} us per fan-out delivery (phase totals); "
      f"{r['idle_cpu_ms_per_s']:.0f} ms/s with {n} idle connections")
fan, trig = r["fanout"]["p99"], r["trigger1"]["p50"]
print(f"ratios: fan-out p99 / ping-all p99 = {fan / r['pingall']['p99']:.2f};  "
      f"trigger p50 / single ping p50 = {trig / r['ping1']['p50']:.2f}")
for text, met in ((f"<= 20 KB per idle connection ({kb:.1f} KB)", kb <= 20),
                  (f"fan-out p99 <= 20 ms with {s} subscribers ({fan:.2f} ms)", fan <= 20),
                  (f"trigger -> receive p50 <= 2 ms ({trig:.2f} ms)", trig <= 2)):
    print(f"target {text}: {'met' if met else 'missed'}")
sys.exit(0 if complete else 1)
PY
