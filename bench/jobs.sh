#!/usr/bin/env bash
# The batch jobs (release build) against the same work written as one bare SQL statement run by
# psql, in the same run, on identical copies of one seeded database (docs/design.md,
# "Performance targets": each job within 1.5x of the bare statement).
#
#   no-show  1,000,000 appointments of which 50,000 are due (1,000 of those with a ringing call);
#   reap     1,000,000 appointments, 650,000 ended calls and 50,000 calls ringing past their
#            timeout (each on a scheduled appointment still inside its access window).
#
# On a throwaway PostgreSQL of its own (initdb on a temporary directory, a free port, a unix
# socket; as the postgres user when run as root), removed on exit. Two shapes of the due rows:
#   spread  each due row at its own instant (no-show: scheduled_at; reap: requested_at);
#   slot    every due row at one instant, as clinics book on slot boundaries (14:00:00), the
#           case where an index on the timestamp alone made each batch re-read the slot.
# Prints both times, the ratio, and the job's max RSS at two batch sizes (memory stays flat), and
# the claim's EXPLAIN (ANALYZE, BUFFERS) from the middle of the due rows at each batch size.
#
# Each timing is the median of RUNS runs (default 3), each on a fresh copy of the seed.
#
# Usage: bench/jobs.sh                      SCRATCH=.build-bench (release build folder)
#        JOBS="no-show reap"                the jobs to measure
#        APPOINTMENTS=1000000 DUE_EVERY=20  (one appointment in DUE_EVERY is due)
#        BATCH_SIZES="500 5000" RUNS=3 SHAPES="spread slot"
#        PROFILE=1                          also print, per job run, its statements by total time
#                                           (pg_stat_statements)
#        SETTINGS=default                   PostgreSQL's defaults but fsync=off; or "tuned"
#                                           (also no synchronous commit, 512 MB shared buffers,
#                                           no autovacuum, rare checkpoints)
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=${SCRATCH:-.build-bench}
appointments=${APPOINTMENTS:-1000000}
due_every=${DUE_EVERY:-20}
batch_sizes=${BATCH_SIZES:-"500 5000"}
runs=${RUNS:-3}
shapes=${SHAPES:-"spread slot"}
jobs=${JOBS:-"no-show reap"}
settings=${SETTINGS:-default}
for job in $jobs; do
    case "$job" in no-show|reap) ;; *) echo "JOBS may hold no-show and reap; got '$job'" >&2; exit 64 ;; esac
done

source bench/lib/postgres.sh
callctl_release "$scratch"

profile=${PROFILE:-0}
preload=$([ "$profile" = 1 ] && echo "-c shared_preload_libraries=pg_stat_statements" || true)
case "$settings" in
    default) pg_start "-c fsync=off $preload" ;;
    tuned) pg_start "-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=1h -c autovacuum=off $preload" ;;
    *) echo "SETTINGS must be default or tuned; got '$settings'" >&2; exit 64 ;;
esac
work=$pg_work
conn() { pg_conn "$1"; }
sql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$(conn "$1")" "${@:2}"; }

# seed JOB SHAPE: the database bench_seed, and $due (the rows the job must change).
# Appointment kinds by g % DUE_EVERY: 0 due, 1-5 scheduled in the future, 6 cancelled, the rest
# completed in the past (for reap each with an ended call). For no-show, kind 0 is scheduled with
# its window closed, and the first 1,000 of them have a ringing call; for reap, kind 0 is
# scheduled five minutes ago with a call ringing for longer than timeouts.ringing.
seed() {
    local job=$1 shape=$2
    echo "seeding $appointments appointments, one in $due_every due for $job ($shape) ..." >&2
    sql postgres -c "DROP DATABASE IF EXISTS bench_seed" -c "CREATE DATABASE bench_seed"
    DATABASE_URL=$(conn bench_seed) "$callctl" migrate up --log-level warning >/dev/null
    sql bench_seed -v appointments="$appointments" -v due_every="$due_every" \
        -v slot="$([ "$shape" = slot ] && echo 1 || echo 0)" -v reap="$([ "$job" = reap ] && echo 1 || echo 0)" <<'SQL'
INSERT INTO tenants (slug, name) SELECT 'tenant-' || t, 'Tenant ' || t FROM generate_series(1, 10) t;
INSERT INTO users (tenant_id, name, email, role)
SELECT 1 + u % 10, 'User ' || u, 'user' || u || '@example.test', CASE WHEN u <= 1000 THEN 'doctor' ELSE 'patient' END
FROM generate_series(1, 21000) u;
INSERT INTO doctors (user_id) SELECT id FROM users WHERE role = 'doctor' ORDER BY id;
INSERT INTO patients (user_id) SELECT id FROM users WHERE role = 'patient' ORDER BY id;
INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes, status, started_at, ended_at)
SELECT 1 + g % 10, 1 + g % 1000, 1 + g % 20000, at, 30,
       CASE WHEN kind = 0 OR kind BETWEEN 1 AND 5 THEN 'scheduled' WHEN kind = 6 THEN 'cancelled' ELSE 'completed' END,
       CASE WHEN kind > 6 THEN at END, CASE WHEN kind > 6 THEN at + interval '25 minutes' END
FROM (SELECT g, g % :due_every AS kind,
             CASE WHEN g % :due_every BETWEEN 1 AND 5 THEN now() + (g % 100000) * interval '1 minute'
                  WHEN g % :due_every = 0 AND :reap = 1 THEN now() - interval '5 minutes'
                  WHEN g % :due_every = 0 AND :slot = 1 THEN date_trunc('hour', now()) - interval '2 hours'
                  ELSE now() - interval '2 hours' - (g % 100000) * interval '1 minute' END AS at
      FROM generate_series(1, :appointments) g) seed;
-- no-show: 1,000 due appointments with a ringing call.
INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, requested_at)
SELECT gen_random_uuid(), a.id, 'ringing', d.user_id, p.user_id, a.scheduled_at
FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id
WHERE :reap = 0 AND a.status = 'scheduled' AND a.scheduled_at < now() ORDER BY a.id LIMIT 1000;
-- reap: a call ringing past its timeout on every due appointment, and an ended call on every
-- completed one.
INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, requested_at)
SELECT gen_random_uuid(), a.id, 'ringing', d.user_id, p.user_id,
       CASE WHEN :slot = 1 THEN date_trunc('minute', now()) - interval '2 minutes'
            ELSE now() - interval '2 minutes' - a.id * interval '1 millisecond' END
FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id
WHERE :reap = 1 AND a.status = 'scheduled' AND a.scheduled_at < now();
INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id,
                           requested_at, accepted_at, connected_at, ended_at)
SELECT gen_random_uuid(), a.id, 'ended', 'hangup', d.user_id, p.user_id,
       a.started_at, a.started_at + interval '5 seconds', a.started_at + interval '6 seconds', a.ended_at
FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id
WHERE :reap = 1 AND a.status = 'completed';
VACUUM ANALYZE;
SQL
    if [ "$job" = reap ]; then
        due=$(sql bench_seed -A -t -c "SELECT count(*) FROM call_sessions WHERE state = 'ringing' AND requested_at < now() - interval '30 seconds'")
    else
        due=$(sql bench_seed -A -t -c "SELECT count(*) FROM appointments WHERE status = 'scheduled' AND scheduled_at < now()")
    fi
    echo "seeded: $(sql bench_seed -A -t -c "SELECT count(*) FROM appointments") appointments," \
        "$(sql bench_seed -A -t -c "SELECT count(*) FROM call_sessions") calls, $due due" >&2
}

at_sql="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
# The bare statement of each job: the same updates, audit rows and outbox rows, in one statement.
bare_no_show="
WITH due AS (
    UPDATE appointments a SET status = 'no_show', updated_at = now()
    WHERE a.status = 'scheduled' AND a.started_at IS NULL
      AND a.scheduled_at + make_interval(mins => a.duration_minutes) < now() - interval '15 minutes'
    RETURNING a.id
), closed AS (
    UPDATE call_sessions s SET state = 'ended', end_reason = 'window_closed', ended_at = now()
    FROM due WHERE s.appointment_id = due.id AND s.state <> 'ended'
    RETURNING s.id, s.appointment_id, s.state
), audit AS (
    INSERT INTO appointment_call_events (appointment_id, call_id, type, at, payload)
    SELECT id, NULL, 'no_show', now(), jsonb_build_object('job', 'no_show', 'from', 'scheduled', 'to', 'no_show') FROM due
    UNION ALL
    SELECT appointment_id, id, 'no_show', now(),
           jsonb_build_object('job', 'no_show', 'from', 'ringing', 'to', 'ended', 'reason', 'window_closed') FROM closed
)
INSERT INTO outbox (channel, event, payload)
SELECT 'private-appointments.' || id, 'App\\Events\\AppointmentNoShow', jsonb_build_object('appointmentId', id, 'at', $at_sql)
FROM due
UNION ALL
SELECT 'private-appointments.' || appointment_id, 'App\\Events\\AppointmentCallEnded',
       jsonb_build_object('appointmentId', appointment_id, 'callId', id, 'reason', 'window_closed', 'duration', 0, 'at', $at_sql)
FROM closed"
bare_reap="
WITH closed AS (
    UPDATE call_sessions s SET state = 'ended', end_reason = 'timeout_no_answer', ended_at = now()
    FROM appointments a
    WHERE a.id = s.appointment_id AND s.state = 'ringing' AND s.requested_at < now() - interval '30 seconds'
    RETURNING s.id, s.appointment_id
), audit AS (
    INSERT INTO appointment_call_events (appointment_id, call_id, type, at, payload)
    SELECT appointment_id, id, 'timeout', now(),
           jsonb_build_object('job', 'reap', 'reason', 'timeout_no_answer', 'from', 'ringing', 'to', 'ended') FROM closed
)
INSERT INTO outbox (channel, event, payload)
SELECT 'private-appointments.' || appointment_id, 'App\\Events\\AppointmentCallEnded',
       jsonb_build_object('appointmentId', appointment_id, 'callId', id, 'reason', 'timeout_no_answer', 'duration', 0, 'at', $at_sql)
FROM closed"

# claim_plan JOB BATCH: the claim's plan from the middle of the due rows, as the job's keyset
# reaches it after half the batches, run as the job runs it (bitmap scans off in the batch's
# transaction, and for reap sorts too, see BatchLoop).
claim_plan() {
    if [ "$1" = no-show ]; then
        sql "$db" -A -t -v batch="$2" <<'SQL'
SELECT scheduled_at AS mid_at, id AS mid_id FROM appointments
WHERE status = 'scheduled' AND started_at IS NULL AND scheduled_at < now() - interval '45 minutes'
ORDER BY scheduled_at, id OFFSET (SELECT count(*) / 2 FROM appointments
    WHERE status = 'scheduled' AND started_at IS NULL AND scheduled_at < now() - interval '45 minutes') LIMIT 1 \gset
BEGIN;
SET LOCAL enable_bitmapscan = off;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT a.id, a.tenant_id, coalesce(d.user_id, 0) AS doctor_user_id, coalesce(p.user_id, 0) AS patient_user_id,
       a.status, a.scheduled_at, a.duration_minutes, a.started_at
FROM appointments a LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN patients p ON p.id = a.patient_id
WHERE a.status = 'scheduled' AND a.started_at IS NULL
  AND a.scheduled_at < now() - interval '15 minutes'
  AND a.scheduled_at + make_interval(mins => a.duration_minutes) < now() - interval '15 minutes'
  AND (a.scheduled_at, a.id) > (:'mid_at'::timestamptz, :mid_id)
ORDER BY a.scheduled_at, a.id LIMIT :batch FOR UPDATE OF a SKIP LOCKED;
ROLLBACK;
SQL
    else
        sql "$db" -A -t -v batch="$2" <<'SQL'
SELECT requested_at AS mid_at, id AS mid_id FROM call_sessions WHERE state <> 'ended'
ORDER BY requested_at, id OFFSET (SELECT count(*) / 2 FROM call_sessions WHERE state <> 'ended') LIMIT 1 \gset
-- The job passes its cutoffs as values, so the planner sees them as constants.
SELECT now() - interval '30 seconds' AS ringing, now() - interval '60 seconds' AS accepted,
       now() - interval '90 seconds' AS heartbeat, now() - interval '4 hours' AS max_call \gset
BEGIN;
SET LOCAL enable_bitmapscan = off;
SET LOCAL enable_sort = off;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT s.id, s.appointment_id, s.state, s.caller_user_id, s.callee_user_id, s.requested_at,
       s.accepted_at, s.connected_at, s.last_heartbeat_at, a.status AS appointment_status
FROM call_sessions s JOIN appointments a ON a.id = s.appointment_id
WHERE s.state <> 'ended'
  AND ((s.state = 'ringing' AND s.requested_at < :'ringing')
    OR (s.state = 'accepted' AND coalesce(s.accepted_at, s.requested_at) < :'accepted')
    OR (s.state = 'in_call' AND coalesce(s.last_heartbeat_at, s.connected_at, s.accepted_at, s.requested_at) < :'heartbeat')
    OR (s.state = 'in_call' AND coalesce(s.connected_at, s.accepted_at, s.requested_at) < :'max_call'))
  AND (s.requested_at, s.id) > (:'mid_at'::timestamptz, :'mid_id'::uuid)
ORDER BY s.requested_at, s.id LIMIT :batch FOR UPDATE OF s, a SKIP LOCKED;
ROLLBACK;
SQL
    fi
}

copies=0
# fresh_copy JOB [old-index]: a copy of the seed; with old-index, the job's keyset index as it
# was before migration 12 (no-show: scheduled_at alone; reap: (state, requested_at) only), to
# show the difference in the same run.
fresh_copy() {
    copies=$((copies + 1))
    db="bench_copy_$copies"
    sql postgres -c "CREATE DATABASE $db TEMPLATE bench_seed"
    if [ "${2:-}" = old-index ] && [ "$1" = no-show ]; then
        sql "$db" -c "DROP INDEX appointments_due_keyset_idx" \
            -c "CREATE INDEX appointments_due_idx ON appointments (scheduled_at) WHERE status = 'scheduled' AND started_at IS NULL"
    elif [ "${2:-}" = old-index ]; then
        sql "$db" -c "DROP INDEX call_sessions_open_keyset_idx"
    fi
    sql "$db" -c "VACUUM ANALYZE" -c "SELECT count(*) FROM appointments" -c "SELECT count(*) FROM call_sessions" -o /dev/null
    sql postgres -c "CHECKPOINT"
}
drop_copy() { sql postgres -c "DROP DATABASE $db"; }
now_seconds() { date +%s.%N; }
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }

status=0
for job in $jobs; do
    bare_sql=$([ "$job" = reap ] && echo "$bare_reap" || echo "$bare_no_show")
    # The report field that counts the job's changes: appointments marked, or calls closed.
    field=$([ "$job" = reap ] && echo closed || echo marked)
    for shape in $shapes; do
        seed "$job" "$shape"
        times=()
        for _ in $(seq "$runs"); do
            fresh_copy "$job"
            start=$(now_seconds)
            sql "$db" -c "$bare_sql"
            times+=("$(echo "$(now_seconds) - $start" | bc)")
            bare_rows=$(sql "$db" -A -t -c "SELECT count(*) FROM outbox")
            drop_copy
        done
        bare=$(median "${times[@]}")

        fresh_copy "$job"
        for batch in $batch_sizes; do
            echo "    plan of one claim of jobs $job (batch $batch) from the middle of the due rows:"
            claim_plan "$job" "$batch" | sed 's/^/    /'
        done
        drop_copy

        printf '\n%-70s %9s %8s %7s %13s\n' "jobs $job, $shape, $settings settings (median of $runs)" "seconds" "outbox" "ratio" "max RSS (KB)"
        printf '%-70s %9s %8s %7s %13s\n' "bare SQL statement (psql)" "$bare" "$bare_rows" "1.00" "-"
        # Each batch size on the current schema, then the smallest on the index before migration 12.
        for variant in $batch_sizes "${batch_sizes%% *} old-index"; do
            batch=${variant%% *}
            index=$([ "$variant" != "$batch" ] && echo old-index || true)
            times=()
            rss=()
            for _ in $(seq "$runs"); do
                fresh_copy "$job" $index
                if [ "$profile" = 1 ]; then
                    sql "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" -o /dev/null
                fi
                start=$(now_seconds)
                DATABASE_URL=$(conn "$db") /usr/bin/time -v -o "$work/time" \
                    "$callctl" jobs "$job" --batch-size "$batch" --format json --log-level warning > "$work/job.json"
                times+=("$(echo "$(now_seconds) - $start" | bc)")
                rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")")
                if [ "$profile" = 1 ]; then
                    echo "    statements of $variant, by total time (ms, calls, rows):"
                    sql "$db" -A -t -F ' | ' -c "SELECT round(total_exec_time)::int, calls, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
                        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 6" | sed 's/^/      /'
                fi
                rows=$(sql "$db" -A -t -c "SELECT count(*) FROM outbox")
                changed=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/job.json" "$field")
                if [ "$rows" != "$bare_rows" ] || [ "$changed" != "$due" ]; then
                    echo "mismatch: jobs $job $field $changed and wrote $rows outbox rows; expected $due and $bare_rows" >&2
                    status=1
                fi
                drop_copy
            done
            elapsed=$(median "${times[@]}")
            ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$elapsed" "$bare")
            max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
            label="callctl jobs $job --batch-size $batch${index:+ (index before migration 12)}"
            printf '%-70s %9s %8s %7s %13s\n' "$label" "$elapsed" "$rows" "$ratio" "$max_rss"
        done
    done
done
echo
echo "target: each ratio within 1.50 of the bare statement (the old-index rows show what migration 12 changed)"
exit "$status"
