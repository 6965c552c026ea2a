#!/usr/bin/env bash
# `callctl jobs no-show` (release build) against the same work written as one bare SQL
# statement run by psql, in the same run, on identical copies of one seeded database
# (docs/design.md, "Performance targets": the target is within 1.5x of the bare statement).
#
# Seeds 1,000,000 appointments of which 50,000 are due (1,000 of those with a ringing call),
# on a throwaway PostgreSQL of its own (initdb on a temporary directory, a free port, a unix
# socket; as the postgres user when run as root), removed on exit. Two shapes of the due rows:
#   spread  each due appointment at its own minute;
#   slot    every due appointment at one instant, as clinics book on slot boundaries (14:00:00),
#           the case where an index on the timestamp alone made each batch re-read the slot.
# Prints both times, the ratio, and the job's max RSS at two batch sizes (memory stays flat).
#
# Each timing is the median of RUNS runs (default 3), each on a fresh copy of the seed.
#
# Usage: bench/jobs-no-show.sh              SCRATCH=.build-bench (release build folder)
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
settings=${SETTINGS:-default}

source bench/lib/postgres.sh

echo "building callctl (release) ..." >&2
swift build -c release --scratch-path "$scratch" --product callctl >&2
callctl="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/callctl"

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

seed() {
    local shape=$1
    echo "seeding $appointments appointments, one in $due_every due ($shape) ..." >&2
    sql postgres -c "DROP DATABASE IF EXISTS bench_seed" -c "CREATE DATABASE bench_seed"
    DATABASE_URL=$(conn bench_seed) "$callctl" migrate up --log-level warning >/dev/null
    sql bench_seed -v appointments="$appointments" -v due_every="$due_every" -v slot="$([ "$shape" = slot ] && echo 1 || echo 0)" <<'SQL'
INSERT INTO tenants (slug, name) SELECT 'tenant-' || t, 'Tenant ' || t FROM generate_series(1, 10) t;
INSERT INTO users (tenant_id, name, email, role)
SELECT 1 + u % 10, 'User ' || u, 'user' || u || '@example.test', CASE WHEN u <= 1000 THEN 'doctor' ELSE 'patient' END
FROM generate_series(1, 21000) u;
INSERT INTO doctors (user_id) SELECT id FROM users WHERE role = 'doctor' ORDER BY id;
INSERT INTO patients (user_id) SELECT id FROM users WHERE role = 'patient' ORDER BY id;
-- Kinds by g % due_every: 0 due (scheduled, window closed), 1-5 scheduled in the future,
-- 6 cancelled, the rest completed in the past.
INSERT INTO appointments (tenant_id, doctor_id, patient_id, scheduled_at, duration_minutes, status, started_at, ended_at)
SELECT 1 + g % 10, 1 + g % 1000, 1 + g % 20000, at, 30,
       CASE WHEN kind = 0 OR kind BETWEEN 1 AND 5 THEN 'scheduled' WHEN kind = 6 THEN 'cancelled' ELSE 'completed' END,
       CASE WHEN kind > 6 THEN at END, CASE WHEN kind > 6 THEN at + interval '25 minutes' END
FROM (SELECT g, g % :due_every AS kind,
             CASE WHEN g % :due_every BETWEEN 1 AND 5 THEN now() + (g % 100000) * interval '1 minute'
                  WHEN g % :due_every = 0 AND :slot = 1 THEN date_trunc('hour', now()) - interval '2 hours'
                  ELSE now() - interval '2 hours' - (g % 100000) * interval '1 minute' END AS at
      FROM generate_series(1, :appointments) g) seed;
INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, requested_at)
SELECT gen_random_uuid(), a.id, 'ringing', d.user_id, p.user_id, a.scheduled_at
FROM appointments a JOIN doctors d ON d.id = a.doctor_id JOIN patients p ON p.id = a.patient_id
WHERE a.status = 'scheduled' AND a.scheduled_at < now() ORDER BY a.id LIMIT 1000;
VACUUM ANALYZE;
SQL
    due=$(sql bench_seed -A -t -c "SELECT count(*) FROM appointments WHERE status = 'scheduled' AND scheduled_at < now()")
    total=$(sql bench_seed -A -t -c "SELECT count(*) FROM appointments")
    echo "seeded: $total appointments, $due due" >&2
}

# The bare statement: the same update, audit rows and outbox rows as the job, in one statement.
bare_sql=$(cat <<'SQL'
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
SELECT 'private-appointments.' || id, 'App\Events\AppointmentNoShow',
       jsonb_build_object('appointmentId', id, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
FROM due
UNION ALL
SELECT 'private-appointments.' || appointment_id, 'App\Events\AppointmentCallEnded',
       jsonb_build_object('appointmentId', appointment_id, 'callId', id, 'reason', 'window_closed', 'duration', 0,
                          'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
FROM closed
SQL
)

copies=0
# fresh_copy [old-index]: a copy of the seed; with old-index, the due index as it was before
# migration 12 (scheduled_at alone), to show the difference in the same run.
fresh_copy() {
    copies=$((copies + 1))
    db="bench_copy_$copies"
    sql postgres -c "CREATE DATABASE $db TEMPLATE bench_seed"
    if [ "${1:-}" = old-index ]; then
        sql "$db" -c "DROP INDEX appointments_due_keyset_idx" \
            -c "CREATE INDEX appointments_due_idx ON appointments (scheduled_at) WHERE status = 'scheduled' AND started_at IS NULL"
    fi
    sql "$db" -c "VACUUM ANALYZE" -c "SELECT count(*) FROM appointments" -o /dev/null
    sql postgres -c "CHECKPOINT"
}
drop_copy() { sql postgres -c "DROP DATABASE $db"; }
now_seconds() { date +%s.%N; }
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }

status=0
for shape in $shapes; do
    seed "$shape"
    times=()
    for _ in $(seq "$runs"); do
        fresh_copy
        start=$(now_seconds)
        sql "$db" -c "$bare_sql"
        times+=("$(echo "$(now_seconds) - $start" | bc)")
        bare_rows=$(sql "$db" -A -t -c "SELECT count(*) FROM outbox")
        drop_copy
    done
    bare=$(median "${times[@]}")

    # Where a batch's time goes: the claim's plan at each batch size from the middle of the
    # due rows, as the job's keyset (scheduled_at, id) > (…) reaches it after half the batches.
    fresh_copy
    for batch in $batch_sizes; do
        sql "$db" -A -t -v batch="$batch" <<'SQL' | sed 's/^/    /'
SELECT 'plan of one claim (batch ' || :batch || ') from the middle of the due rows:';
SELECT scheduled_at AS mid_at, id AS mid_id FROM appointments
WHERE status = 'scheduled' AND started_at IS NULL AND scheduled_at < now() - interval '45 minutes'
ORDER BY scheduled_at, id OFFSET (SELECT count(*) / 2 FROM appointments
    WHERE status = 'scheduled' AND started_at IS NULL AND scheduled_at < now() - interval '45 minutes') LIMIT 1 \gset
-- As the job runs it: bitmap scans off in the batch's transaction (see BatchLoop).
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
    done
    drop_copy

    printf '\n%-66s %9s %8s %7s %13s\n' "$shape, $settings settings (median of $runs)" "seconds" "outbox" "ratio" "max RSS (KB)"
    printf '%-66s %9s %8s %7s %13s\n' "bare SQL statement (psql)" "$bare" "$bare_rows" "1.00" "-"
    # Each batch size on the current schema, then the smallest on the index before migration 12.
    for variant in $batch_sizes "${batch_sizes%% *} old-index"; do
        batch=${variant%% *}
        index=$([ "$variant" != "$batch" ] && echo old-index || true)
        times=()
        rss=()
        for _ in $(seq "$runs"); do
            fresh_copy $index
            if [ "$profile" = 1 ]; then
                sql "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" -o /dev/null
            fi
            start=$(now_seconds)
            DATABASE_URL=$(conn "$db") /usr/bin/time -v -o "$work/time" \
                "$callctl" jobs no-show --batch-size "$batch" --format json --log-level warning > "$work/job.json"
            times+=("$(echo "$(now_seconds) - $start" | bc)")
            rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")")
            if [ "$profile" = 1 ]; then
                echo "    statements of $variant, by total time (ms, calls, rows):"
                sql "$db" -A -t -F ' | ' -c "SELECT round(total_exec_time)::int, calls, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
                    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 6" | sed 's/^/      /'
            fi
            rows=$(sql "$db" -A -t -c "SELECT count(*) FROM outbox")
            marked=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["marked"])' "$work/job.json")
            if [ "$rows" != "$bare_rows" ] || [ "$marked" != "$due" ]; then
                echo "mismatch: the job marked $marked and wrote $rows outbox rows; expected $due and $bare_rows" >&2
                status=1
            fi
            drop_copy
        done
        elapsed=$(median "${times[@]}")
        ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$elapsed" "$bare")
        max_rss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
        label="callctl jobs no-show --batch-size $batch${index:+ (index before migration 12)}"
        printf '%-66s %9s %8s %7s %13s\n' "$label" "$elapsed" "$rows" "$ratio" "$max_rss"
    done
done
echo
echo "target: each ratio within 1.50 of the bare statement (the old-index row shows what migration 12 changed)"
exit "$status"
