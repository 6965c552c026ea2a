#!/usr/bin/env bash
# Full call cycles (request -> accept -> started -> end) per second through `callctl serve`
# (release build) with WORKERS concurrent appointments, and the cycle and request latency
# percentiles, against two figures measured in the same run:
#   - the floor: the same statements run by pgbench (-M prepared, WORKERS clients, and again
#     with POOL clients, the daemon's pool size) on a copy of the seeded database. The
#     statements are captured from one cycle the daemon itself runs with log_statement=all
#     (bench/lib/lifecycle_floor.py), so the floor follows the code: four transactions of
#     BEGIN, locking read, user locks (request), read, combined write, COMMIT, then the NOTIFY;
#   - the same client sending four GET /healthz per cycle (HTTP, JSON and client cost without
#     the lifecycle's transactions).
# Targets (issue 23): >= 0.8x the floor at WORKERS clients; request p99 < 50 ms with 50
# concurrent appointments; >= 500 cycles/s where the floor allows it.
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
pool=${POOL:-16}

# The floor's database: migrated and seeded as the daemon's, plus one pair (users 777771 and
# 777772, appointment 888881) whose cycle the daemon runs once with every statement logged.
floor_url=$(pg_conn floor)
"$bindir/psql" -X -q -d "$DATABASE_URL" -c "CREATE DATABASE floor"
DATABASE_URL=$floor_url migrate_and_seed "$workers" "$per_worker"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$floor_url" <<'SQL'
INSERT INTO users (id, tenant_id, name, email, role)
VALUES (777771, 1, 'user 777771', 'u777771@bench.test', 'doctor'), (777772, 1, 'user 777772', 'u777772@bench.test', 'patient');
INSERT INTO doctors (id, user_id) VALUES (777771, 777771);
INSERT INTO patients (id, user_id) VALUES (777772, 777772);
INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at) VALUES (888881, 1, 777771, 777772, now());
SQL
# What the floor's runs write is told apart from the seeded history, which stays: rows after
# these ids, and the appointments seed_pairs made (plus the capture's).
outbox_seeded=$("$bindir/psql" -X -qAt -d "$floor_url" -c "SELECT coalesce(max(id), 0) FROM outbox")
audit_seeded=$("$bindir/psql" -X -qAt -d "$floor_url" -c "SELECT coalesce(max(id), 0) FROM appointment_call_events")
current="BETWEEN 1 AND $((workers * per_worker))"
echo "floor: capturing one cycle's statements from callctl serve ..." >&2
log_start=$(stat -c %s "$pg_work/server.log")
capture_port=$(free_port)
PGOPTIONS="-c log_statement=all" DATABASE_URL=$floor_url CALLCTL_JWT_SECRET=$secret REVERB_APP_ID=1 REVERB_APP_KEY=bench-key \
    REVERB_APP_SECRET=$secret "$callctl" serve --listen "127.0.0.1:$capture_port" --pool-size 1 --log-level warning \
    2>"$pg_work/capture.log" &
serve_pid=$!
wait_healthy "$capture_port"
python3 bench/lib/cycle_client.py --host 127.0.0.1 --port "$capture_port" --secret "$secret" --workers 1 --duration 10 \
    --first-user 777771 --first-appointment 888881 --per-worker 1 >/dev/null
kill -TERM "$serve_pid"; wait "$serve_pid"; serve_pid=
tail -c +"$((log_start + 1))" "$pg_work/server.log" > "$pg_work/cycle.log"
python3 bench/lib/lifecycle_floor.py "$pg_work/cycle.log" 888881 777771 777772 "$pg_work/floor.sql" "$pg_work/floor.defines"
mapfile -t defines < <(sed 's/^/-D/' "$pg_work/floor.defines")
# floor CLIENTS: pgbench's cycles/s and cycle latency percentiles (JSON), on fresh appointments.
floor() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$floor_url" -c "DELETE FROM outbox WHERE id > $outbox_seeded" \
        -c "DELETE FROM appointment_call_events WHERE id > $audit_seeded" \
        -c "DELETE FROM call_sessions WHERE appointment_id $current OR appointment_id = 888881" \
        -c "UPDATE appointments SET status = 'scheduled', started_at = NULL, ended_at = NULL, metadata = '{}'
            WHERE id $current OR id = 888881" -c "VACUUM ANALYZE" -c "CHECKPOINT"
    rm -f "$pg_work"/floor_log.*
    "$bindir/pgbench" -n -M prepared -c "$1" -j 2 -T "$duration" -D n=0 -D per_pair="$per_worker" "${defines[@]}" \
        -f "$pg_work/floor.sql" --log --log-prefix="$pg_work/floor_log" "$floor_url" > "$pg_work/floor.out" 2>&1 \
        || { echo "pgbench failed:" >&2; tail -20 "$pg_work/floor.out" >&2; exit 1; }
    local written
    written=$("$bindir/psql" -X -qAt -d "$floor_url" -c "SELECT
        (SELECT count(*) FROM call_sessions WHERE state = 'ended' AND appointment_id $current) || ' '
        || (SELECT count(*) FROM appointments WHERE status = 'completed' AND id $current) || ' '
        || (SELECT count(*) FROM outbox WHERE id > $outbox_seeded) || ' '
        || (SELECT count(*) FROM appointment_call_events WHERE id > $audit_seeded)")
    python3 - "$pg_work" "$duration" "$written" <<'PY'
import glob, json, sys
work, duration = sys.argv[1], float(sys.argv[2])
ended, completed, outbox, audit = (int(v) for v in sys.argv[3].split())
latencies = sorted(int(line.split()[2]) / 1000 for name in glob.glob(work + "/floor_log.*") for line in open(name))
failed = sum(1 for line in open(work + "/floor.out") if "error" in line.lower())
# Every cycle pgbench counted must have written what a daemon cycle writes.
if (ended, completed, outbox, audit) != (len(latencies), len(latencies), 4 * len(latencies), 4 * len(latencies)):
    failed += 1
    print(f"floor: {len(latencies)} cycles but {ended} sessions ended, {completed} appointments completed, "
          f"{outbox} outbox and {audit} audit rows", file=sys.stderr)
pick = lambda f: latencies[min(len(latencies) - 1, int(f * len(latencies)))] if latencies else 0.0
print(json.dumps({"cycles": len(latencies), "cycles_per_s": round(len(latencies) / duration, 1),
                  "cycle_ms": {"p50": round(pick(0.5), 2), "p99": round(pick(0.99), 2)}, "errors": failed}))
PY
}
echo "floor: pgbench, $workers clients, ${duration}s ..." >&2
floor_workers=$(floor "$workers")
echo "floor: pgbench, $pool clients (the daemon's pool), ${duration}s ..." >&2
floor_pool=$(floor "$pool")

serve_port=$(free_port)
CALLCTL_JWT_SECRET=$secret REVERB_APP_ID=1 REVERB_APP_KEY=bench-key REVERB_APP_SECRET=$secret "$callctl" serve --listen "127.0.0.1:$serve_port" --pool-size "$pool" --log-level warning \
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

python3 - "$baseline" "$cycles" "$rows" "$workers" "$cpu" "$floor_workers" "$floor_pool" "$pool" <<'PY'
import json, sys
base, run, rows, workers = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
serve_cpu, pg_cpu = (int(v) for v in sys.argv[5].split())
floor, floor_pool, pool = json.loads(sys.argv[6]), json.loads(sys.argv[7]), sys.argv[8]
for label, f in ((f"{workers} clients", floor), (f"{pool} clients", floor_pool)):
    print(f"floor (pgbench, {label}): {f['cycles_per_s']:8.1f} cycles/s   cycle p50 {f['cycle_ms']['p50']:.2f} ms  p99 {f['cycle_ms']['p99']:.2f} ms   errors {f['errors']}")
print(f"baseline (4x GET /healthz): {base['cycles_per_s']:8.1f} cycles/s   request p50 {base['request_ms']['p50']:.2f} ms  p99 {base['request_ms']['p99']:.2f} ms")
print(f"lifecycle ({workers} concurrent):  {run['cycles_per_s']:8.1f} cycles/s   request p50 {run['request_ms']['p50']:.2f} ms  p99 {run['request_ms']['p99']:.2f} ms   cycle p99 {run['cycle_ms']['p99']:.2f} ms")
print(f"ratio lifecycle/baseline: {run['cycles_per_s'] / base['cycles_per_s']:.2f}   non-200 answers: {run['failures']} (baseline {base['failures']})")
print(f"database after the run: {rows}")
print(f"CPU per cycle: callctl serve {serve_cpu / max(1, run['cycles']):.2f} ms, PostgreSQL {pg_cpu / max(1, run['cycles']):.2f} ms (4 requests, 4 transactions)")
ratio = run['cycles_per_s'] / max(0.1, floor['cycles_per_s'])
print(f"ratio lifecycle/floor ({workers} clients): {ratio:.2f}   (floor with {pool} clients: {run['cycles_per_s'] / max(0.1, floor_pool['cycles_per_s']):.2f})")
print(f"target: >= 0.8x floor: {'met' if ratio >= 0.8 else 'MISSED'};  >= 500 cycles/s: {'met' if run['cycles_per_s'] >= 500 else 'MISSED' if floor['cycles_per_s'] >= 500 else 'not reachable (floor below 500)'};  "
      f"request p99 < 50 ms: {'met' if run['request_ms']['p99'] < 50 else 'MISSED'}")
PY
