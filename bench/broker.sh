#!/usr/bin/env bash
# The PeerJS broker of `callctl serve` (release build) under load, issue 18, against the Pusher
# hub of the same daemon in the same run:
#   1. memory: N idle hub connections, then 2 x PAIRS broker peers (each issued, with its token,
#      bound to one of PAIRS open calls): serve's VmRSS before and 2 s after each -> KB per idle
#      hub connection and KB per idle peer;
#   2. latency, one pair: sequential OFFER -> delivery, against one hub connection's
#      sequential ping -> pong;
#   3. latency, all PAIRS at once: every doctor's peer sends an OFFER (a 2 KB SDP) to its
#      patient's, ROUNDS rounds: OFFER -> delivery p50/p99/max, against PAIRS hub connections
#      pinging at once (ping -> pong), the hub's own round trip under the same concurrency.
# The load client is bench/lib/broker_load.py (raw asyncio, hub_load.py's sockets); serve and a
# throwaway PostgreSQL of its own on 127.0.0.1, everything stopped on exit, also on Ctrl-C.
# Exit status nonzero only when the run failed (a peer refused, an OFFER lost, serve not exiting
# 0 on SIGTERM).
#
# Usage: bench/broker.sh [--pairs 1000] [--connections 2000] [--rounds 20] [--interval 100]
#                        [--sequential 300]      SCRATCH=.build-bench, CALLCTL=<a built binary>
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
pairs=1000
connections=2000
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --pairs) pairs=$2; args+=("$1" "$2"); shift 2 ;;
        --connections) connections=$2; args+=("$1" "$2"); shift 2 ;;
        --rounds|--interval|--sequential) args+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
[ "$connections" -ge "$pairs" ] || { echo "--connections must be at least --pairs (the hub's pingers are some of them)" >&2; exit 64; }
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((connections + 2 * pairs + 500)) ]; then
    echo "open-file limit $(ulimit -n) is too low; raise the hard limit (ulimit -Hn)" >&2; exit 69
fi

source bench/lib/postgres.sh
serve_pid=
on_exit 'if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; fi'
trap 'exit 130' INT TERM

callctl_release "$scratch"
pg_start ""
export DATABASE_URL=$(pg_conn postgres)
"$callctl" migrate up --log-level warning >/dev/null
# PAIRS doctor/patient pairs with one appointment each (seed_pairs), a ringing call on each
# (call id = the appointment id as 32 hex digits) and both participants' broker peer ids.
seed_pairs "$pairs" 1
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" <<'SQL'
INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, requested_at)
SELECT lpad(to_hex(a.id), 32, '0')::uuid, a.id, 'ringing', 2 * a.id - 1, 2 * a.id, now() FROM appointments a;
INSERT INTO broker_peers (peer_id, call_id, appointment_id, user_id, issued_at, expires_at)
SELECT 'b' || w || a.id, lpad(to_hex(a.id), 32, '0')::uuid, a.id, CASE w WHEN 'd' THEN 2 * a.id - 1 ELSE 2 * a.id END,
       now(), now() + interval '1 hour'
FROM appointments a CROSS JOIN (VALUES ('d'), ('p')) v(w);
ANALYZE;
SQL

unset CALLCTL_JWT_PUBLIC_KEY CALLCTL_PUSHER_APPS CALLCTL_PUSHER_URL
CALLCTL_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
REVERB_APP_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export CALLCTL_JWT_SECRET REVERB_APP_SECRET REVERB_APP_ID=4242 REVERB_APP_KEY=broker-bench-key
total=$((connections + 2 * pairs + 100))
serve_on_free_port "$pg_work/serve.log" --activity-timeout 3600 --message-rate 100000 --max-connections "$total" \
    --max-connections-per-ip "$total" --peerjs-max-peers "$total" --peerjs-message-rate 10000 --peerjs-alive-timeout 3600

status=0
result=$(python3 bench/lib/broker_load.py --port "$port" --serve-pid "$serve_pid" "${args[@]}") || status=$?
kill -TERM "$serve_pid"
serve_status=0
wait "$serve_pid" || serve_status=$?
serve_pid=
[ "$status" = 0 ] || { echo "the broker benchmark failed; serve's last log lines:" >&2; tail -5 "$pg_work/serve.log" >&2; exit 1; }
[ "$serve_status" = 0 ] || { echo "callctl serve exited $serve_status on SIGTERM" >&2; exit 1; }

python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
n, p = r["connections"], r["pairs"]
hub = (r["hub_rss_kb"][1] - r["hub_rss_kb"][0]) / n
peer = (r["peer_rss_kb"][1] - r["peer_rss_kb"][0]) / (2 * p)
print(f"broker benchmark: {p} calls ({2 * p} peers), {n} idle hub connections, {r['rounds']} rounds")
print(f"memory: {hub:.1f} KB per idle hub connection; {peer:.1f} KB per idle broker peer "
      f"({2 * p} peers connected in {r['peers_connect_s']:.2f} s); ratio {peer / hub:.2f}")
print(f"{'latency (ms)':52} {'p50':>8} {'p99':>8} {'max':>8} {'samples':>8}")
for name, key in (("hub: ping -> pong, 1 connection, sequential", "ping1"),
                  ("broker: OFFER -> delivery, 1 pair, sequential", "offer1"),
                  (f"hub: ping -> pong, {p} connections at once", "pings"),
                  (f"broker: OFFER -> delivery, {p} pairs at once", "offers")):
    v = r[key]
    print(f"{name:52} {v['p50']:8.3f} {v['p99']:8.3f} {v['max']:8.3f} {v['n']:8}")
print(f"ratios: OFFER p99 / ping p99 at {p} at once = {r['offers']['p99'] / r['pings']['p99']:.2f}; "
      f"sequential OFFER p50 / ping p50 = {r['offer1']['p50'] / r['ping1']['p50']:.2f}; "
      f"serve CPU {r['offer_cpu_ms'] * 1000 / max(1, r['offers']['n']):.0f} us per relayed OFFER")
PY
