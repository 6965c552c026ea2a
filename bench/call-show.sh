#!/usr/bin/env bash
# Benchmark: `callctl call show ID --format json` on an appointment among 1,000,000 (with a
# call session, its audit rows, its outbox events and channel-log rows each), against psql
# running the same six statements for the same id, in the same run, on a throwaway PostgreSQL.
# Both sides are a fresh process with a fresh connection per lookup, as an on-call engineer
# runs them. Target: callctl within 2x of psql.
#
#   bench/call-show.sh                      # 1,000,000 appointments, 30 lookups per tool
#   bench/call-show.sh --appointments 100000 --lookups 10
#   CALLCTL=path/to/callctl bench/call-show.sh   # skip the release build
#
# Needs python3 (for the timings) and PostgreSQL's server binaries; everything is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

appointments=1000000
lookups=30
while [ $# -gt 0 ]; do
    case "$1" in
        --appointments) appointments="$2"; shift 2 ;;
        --lookups) lookups="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "usage: bench/call-show.sh [--appointments N] [--lookups N]" >&2; exit 64 ;;
    esac
done
[ "$appointments" -ge 1000 ] || { echo "--appointments must be at least 1000" >&2; exit 64; }

source bench/lib/postgres.sh
# The Swift standard library linked statically, as a package would ship it: a Swift binary's
# start-up (loading the runtime and Foundation) is most of what a one-shot command costs.
callctl=${CALLCTL:-}
if [ -z "$callctl" ]; then
    echo "building callctl (release, static Swift standard library) ..." >&2
    swift build -c release --static-swift-stdlib --scratch-path "${SCRATCH:-.build-bench-static}" --product callctl >&2
    callctl="$(swift build -c release --static-swift-stdlib --scratch-path "${SCRATCH:-.build-bench-static}" --show-bin-path)/callctl"
fi
pg_start "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=512MB -c autovacuum=off"
export DATABASE_URL=$(pg_conn postgres)
"$callctl" migrate up --log-level warning >/dev/null
started=$(date +%s)
echo "seeding $appointments appointments, each with a session, 2 audit rows, 2 events and 2 channel-log rows ..." >&2
seed_pairs 1000 $((appointments / 1000))
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" <<'SQL'
INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id, requested_at, accepted_at,
                           connected_at, ended_at)
SELECT md5(a::text)::uuid, a.id, 'ended', 'hangup', d.user_id, p.user_id, a.scheduled_at, a.scheduled_at + interval '5 s',
       a.scheduled_at + interval '8 s', a.scheduled_at + interval '20 min'
FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id;
INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload)
SELECT s.appointment_id, s.id, t.type, s.caller_user_id, s.requested_at + t.offset_,
       jsonb_build_object('from', t.from_, 'to', t.to_, 'ip', '10.0.0.1', 'userAgent', 'bench', 'requestId', 'r-' || s.appointment_id)
FROM call_sessions s, (VALUES ('request', interval '0 s', NULL, 'ringing'), ('leave', interval '20 min', 'in_call', 'ended'))
     AS t(type, offset_, from_, to_);
INSERT INTO outbox (channel, event, payload, created_at, relayed_at, published_at)
SELECT 'private-appointments.' || s.appointment_id, 'App\Events\' || e.name,
       jsonb_build_object('appointmentId', s.appointment_id, 'callId', s.id), s.requested_at + e.offset_,
       s.requested_at + e.offset_ + interval '3 ms', s.requested_at + e.offset_ + interval '3 ms'
FROM call_sessions s, (VALUES ('AppointmentCallRequested', interval '0 s'), ('AppointmentCallEnded', interval '20 min')) AS e(name, offset_);
INSERT INTO appointment_channel_log (appointment_id, socket_id, user_id, kind, at)
SELECT s.appointment_id, '1.' || s.appointment_id, k.user_, k.kind, s.requested_at - interval '1 min'
FROM call_sessions s, LATERAL (VALUES (s.callee_user_id, 'authorized'), (NULL::bigint, 'subscribed')) AS k(user_, kind);
ANALYZE;
SQL
echo "seeded in $(( $(date +%s) - started )) s" >&2

# The six statements call show runs (CallStoryQuery), for one appointment id.
six_statements() {
    cat <<SQL
SELECT a.id, a.tenant_id, a.status, a.scheduled_at, a.duration_minutes, a.started_at, a.ended_at, du.id, du.name, pu.id, pu.name
  FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN users du ON du.id = d.user_id
  JOIN patients p ON p.id = a.patient_id JOIN users pu ON pu.id = p.user_id WHERE a.id = $1;
SELECT key, value FROM settings;
SELECT id::text, state, end_reason, caller_user_id, callee_user_id, requested_at, accepted_at, connected_at, ended_at, last_heartbeat_at
  FROM call_sessions WHERE appointment_id = $1 ORDER BY requested_at, id;
SELECT at, type, call_id::text, user_id, payload->>'from', payload->>'to', payload->>'reason', payload->>'ip', payload->>'userAgent',
       payload->>'requestId', payload->>'by', payload->>'note' FROM appointment_call_events WHERE appointment_id = $1 ORDER BY at, id;
SELECT id, event, payload->>'callId', created_at, relayed_at, published_at, attempts, last_error
  FROM outbox WHERE channel = 'private-appointments.$1' ORDER BY id;
SELECT kind, socket_id, user_id, at FROM appointment_channel_log WHERE appointment_id = $1 ORDER BY at, id;
SQL
}

ids=$(python3 -c "import random; random.seed(7); print(' '.join(str(random.randint(1, $appointments)) for _ in range($lookups)))")
time_ms() { python3 -c 'import subprocess, sys, time
t = time.perf_counter(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode: sys.exit("failed: " + r.stderr.decode()[-300:])
print(f"{(time.perf_counter() - t) * 1000:.2f}")' "$@"; }
"$callctl" call show 1 --format json >/dev/null   # warm the cache and the binary
callctl_ms=(); psql_ms=()
for id in $ids; do
    callctl_ms+=("$(time_ms "$callctl" call show "$id" --format json --log-level warning)")
    psql_ms+=("$(time_ms "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c "$(six_statements "$id")")")
done
python3 - "${callctl_ms[*]}" "${psql_ms[*]}" "$appointments" <<'PY'
import statistics, sys
c = sorted(map(float, sys.argv[1].split())); p = sorted(map(float, sys.argv[2].split()))
def q(v, f): return v[min(len(v) - 1, int(f * len(v)))]
print(f"call show among {int(sys.argv[3]):,} appointments, {len(c)} lookups each (fresh process and connection per lookup):")
print(f"  callctl call show --format json  median {statistics.median(c):7.2f} ms   p95 {q(c, .95):7.2f} ms")
print(f"  psql, the same six statements    median {statistics.median(p):7.2f} ms   p95 {q(p, .95):7.2f} ms")
ratio = statistics.median(c) / statistics.median(p)
print(f"  ratio callctl/psql (median) {ratio:.2f}  (target <= 2.0: {'met' if ratio <= 2.0 else 'MISSED'})")
PY
