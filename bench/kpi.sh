#!/usr/bin/env bash
# Benchmark: `callctl kpi --by day --format json` over a year of call sessions against the
# same KPI statement run by psql, in the same run, on a throwaway PostgreSQL of its own.
#
#   bench/kpi.sh                     # 10,000,000 sessions (measured at 1,000,000 and at 10,000,000)
#   bench/kpi.sh --sessions 200000   # a quick run (measured at 20,000 and at 200,000)
#   bench/kpi.sh --runs 5            # timed runs per tool and size (median reported; default 3)
#   bench/kpi.sh --shape slot        # every timestamp on a 30-minute booking slot, as clinics book
#                                    # (thousands of rows share one instant); default: spread evenly
#   bench/kpi.sh --settings default  # PostgreSQL's defaults but fsync off; default: tuned (below)
#
# It builds callctl in release mode, starts PostgreSQL (initdb on a temporary directory, as the
# postgres user when run as root, a free loopback port and a unix socket, fsync off), migrates
# it with callctl (tuned: also no synchronous commit, 1 GB shared buffers, no autovacuum), seeds a tenth of the sessions with set-based SQL and measures, then seeds the
# rest and measures again: the time ratio callctl/psql (target <= 1.2) and callctl's maximum
# resident set size, which should stay flat while the data grows tenfold. Everything is removed
# on exit. On a 2-core machine seeding 10,000,000 sessions takes about 11 minutes, the whole run
# about 16; it needs /usr/bin/time (Debian package `time`) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

sessions=10000000
runs=3
shape=spread
settings=tuned
while [ $# -gt 0 ]; do
    case "$1" in
        --sessions) sessions="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --shape) shape="$2"; shift 2 ;;
        --settings) settings="$2"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "usage: bench/kpi.sh [--sessions N] [--runs N] [--shape spread|slot] [--settings tuned|default]" >&2; exit 64 ;;
    esac
done
[ "$sessions" -ge 10 ] || { echo "--sessions must be at least 10" >&2; exit 64; }
case "$shape" in spread) slot=0 ;; slot) slot=1 ;; *) echo "--shape must be spread or slot" >&2; exit 64 ;; esac

scratch=${SCRATCH:-.build-bench}
echo "building callctl (release)..." >&2
swift build -c release --scratch-path "$scratch" --product callctl >&2
callctl="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/callctl"

source bench/lib/postgres.sh
case "$settings" in
    tuned) pg_start "-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c shared_buffers=1GB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c wal_level=minimal \
        -c max_wal_senders=0 -c autovacuum=off" ;;
    default) pg_start "-c fsync=off" ;;
    *) echo "--settings must be tuned or default" >&2; exit 64 ;;
esac
workdir=$pg_work
port=$pg_port

url="host=$workdir/socket port=$port user=postgres dbname=bench"
psql_bench() { "$bindir/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" "$@"; }
"$bindir/psql" -X -q -d "host=$workdir/socket port=$port user=postgres dbname=postgres" -c "CREATE DATABASE bench"
"$callctl" migrate up --database-url "$url" --log-level error >/dev/null
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port ($settings settings, $shape shape); schema migrated by callctl" >&2

year_start=1735689600   # 2025-01-01T00:00:00Z; the sessions cover 2025 in UTC
psql_bench -c "
    INSERT INTO tenants (id, slug, name) SELECT t, 'tenant-' || t, 'Clinic ' || t FROM generate_series(1, 20) t;
    INSERT INTO users (id, tenant_id, name, email, role)
        SELECT u, 1 + (u - 1) % 20, 'Doctor ' || u, 'doctor' || u || '@bench.test', 'doctor' FROM generate_series(1, 500) u;
    INSERT INTO users (id, tenant_id, name, email, role)
        SELECT 500 + p, 1 + (p - 1) % 20, 'Patient ' || p, 'patient' || p || '@bench.test', 'patient' FROM generate_series(1, 100000) p;
    INSERT INTO doctors (id, user_id) SELECT d, d FROM generate_series(1, 500) d;
    INSERT INTO patients (id, user_id) SELECT p, 500 + p FROM generate_series(1, 100000) p;"

# seed_stage FIRST_SESSION COUNT: COUNT sessions spread evenly over the year (with --shape slot,
# each rounded down to its 30-minute slot), on 0.9 x COUNT appointments of their own (some get a
# retry session), and 3 % as many busy audit events.
seed_stage() {
    local s0=$1 n=$2 an=$(( $2 * 9 / 10 )) a0=$(( $1 * 9 / 10 )) bn=$(( $2 * 3 / 100 ))
    psql_bench -v s0="$s0" -v n="$n" -v an="$an" -v a0="$a0" -v bn="$bn" -v t0="$year_start" -v slot="$slot" >/dev/null <<'SQL'
SELECT setseed(0.42);
-- The instant of the k-th of n rows over the year: spread evenly, or on its 30-minute slot.
CREATE OR REPLACE FUNCTION pg_temp.bench_at(k bigint, n bigint, t0 bigint, slot int) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$
        SELECT to_timestamp(CASE WHEN slot = 1 THEN t0 + floor((k - 1) * 31536000.0 / n / 1800) * 1800
                                 ELSE t0 + (k - 1) * 31536000.0 / n END) $$;
INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at, status, started_at, ended_at)
SELECT id, 1 + (doctor - 1) % 20, doctor, 1 + (id * 7919) % 100000, scheduled_at, status,
       CASE WHEN status = 'completed' THEN scheduled_at + r2 * interval '5 minutes' END,
       CASE WHEN status = 'completed' THEN scheduled_at + r2 * interval '5 minutes' + (300 + r3 * 2400) * interval '1 second' END
FROM (SELECT :a0 + j AS id, 1 + (j * 31) % 500 AS doctor, pg_temp.bench_at(j, :an, :t0, :slot) AS scheduled_at,
             CASE WHEN r < 0.80 THEN 'completed' WHEN r < 0.88 THEN 'no_show' WHEN r < 0.94 THEN 'cancelled'
                  WHEN r < 0.97 THEN 'rescheduled' ELSE 'scheduled' END AS status, r2, r3
      FROM (SELECT j, random() AS r, random() AS r2, random() AS r3 FROM generate_series(1::bigint, :an) j) g) a;
INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id,
                           requested_at, accepted_at, connected_at, ended_at)
SELECT lpad(to_hex(:s0 + i), 32, '0')::uuid, :a0 + 1 + ((i - 1) * :an) / :n, 'ended',
       CASE WHEN r < 0.70 THEN 'hangup' WHEN r < 0.78 THEN 'connect_timeout' WHEN r < 0.90 THEN 'timeout_no_answer'
            WHEN r < 0.96 THEN 'declined' ELSE 'cancelled' END,
       501, 1, requested_at, accepted_at,
       CASE WHEN r < 0.70 THEN accepted_at + (200 + r3 * 4800) * interval '1 millisecond' END,
       requested_at + (30 + r2 * 2400) * interval '1 second'
FROM (SELECT i, r, r2, r3, requested_at,
             CASE WHEN r < 0.78 THEN requested_at + (1 + r2 * 9) * interval '1 second' END AS accepted_at
      FROM (SELECT i, random() AS r, random() AS r2, random() AS r3,
                   pg_temp.bench_at(i, :n, :t0, :slot) AS requested_at
            FROM generate_series(1::bigint, :n) i) g) s;
INSERT INTO appointment_call_events (appointment_id, type, user_id, at)
SELECT :a0 + 1 + (k * 7) % :an, 'busy', 501, to_timestamp(:t0 + random() * 31536000) FROM generate_series(1::bigint, :bn) k;
VACUUM ANALYZE;
SQL
}

# The statement callctl runs for `kpi --by day --tz UTC`, written out for psql.
cat > "$workdir/kpi.sql" <<'SQL'
WITH sessions AS (
    SELECT GROUPING(k) AS g, coalesce(k::text, '') AS key, count(*) AS calls_requested,
           count(*) FILTER (WHERE accepted) AS calls_accepted, count(*) FILTER (WHERE connected) AS calls_connected,
           count(*) FILTER (WHERE timed_out) AS timeouts, avg(ttc_ms) AS ttc_mean_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p50_ms,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p95_ms
    FROM (SELECT (s.requested_at AT TIME ZONE :'tz')::date AS k, s.accepted_at IS NOT NULL AS accepted, s.connected_at IS NOT NULL AS connected,
                 s.end_reason = 'timeout_no_answer' AS timed_out,
                 round(date_part('epoch', s.connected_at - s.accepted_at) * 1e6) / 1e3 AS ttc_ms
          FROM call_sessions s WHERE s.requested_at >= :'start' AND s.requested_at < :'end') s
    GROUP BY GROUPING SETS ((k), ())
), busy AS (
    SELECT GROUPING(k) AS g, coalesce(k::text, '') AS key, count(*) AS busy_events
    FROM (SELECT (e.at AT TIME ZONE :'tz')::date AS k FROM appointment_call_events e
          WHERE e.type = 'busy' AND e.at >= :'start' AND e.at < :'end') e
    GROUP BY GROUPING SETS ((k), ())
), scheduled AS (
    SELECT GROUPING(k) AS g, coalesce(k::text, '') AS key,
           count(*) FILTER (WHERE held) AS appointments_held,
           count(*) FILTER (WHERE no_show) AS no_shows,
           avg(duration_s) AS duration_mean_s
    FROM (SELECT (a.scheduled_at AT TIME ZONE :'tz')::date AS k, a.status NOT IN ('cancelled', 'rescheduled') AS held, a.status = 'no_show' AS no_show,
                 CASE WHEN a.status = 'completed' THEN date_part('epoch', a.ended_at - a.started_at) END AS duration_s FROM appointments a
          WHERE a.scheduled_at >= :'start' AND a.scheduled_at < :'end') a
    GROUP BY GROUPING SETS ((k), ())
)
SELECT g, key, coalesce(calls_requested, 0), coalesce(calls_accepted, 0), coalesce(calls_connected, 0),
       coalesce(timeouts, 0), ttc_mean_ms, ttc_p50_ms, ttc_p95_ms, coalesce(busy_events, 0), duration_mean_s,
       coalesce(appointments_held, 0), coalesce(no_shows, 0)
FROM sessions FULL JOIN busy USING (g, key) FULL JOIN scheduled USING (g, key)
ORDER BY g DESC, key;
SQL

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# measure LABEL: times both tools $runs times (after one warm-up each), checks they agree, prints a line.
measure() {
    local label=$1 total
    total=$(psql_bench -c "SELECT count(*) FROM call_sessions")
    local kpi=("$callctl" kpi --from 2025-01-01 --to 2026-01-01 --by day --format json --database-url "$url" --log-level error)
    local sql=(psql_bench -v tz=UTC -v start=2025-01-01T00:00:00Z -v end=2026-01-01T00:00:00Z -f "$workdir/kpi.sql")
    "${kpi[@]}" > "$workdir/kpi.json"
    "${sql[@]}" > "$workdir/kpi.txt"
    local ours theirs
    ours=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print(t["calls_requested"], t["calls_connected"], len(json.load(open(sys.argv[1]))["groups"]))' "$workdir/kpi.json")
    theirs=$(awk -F'|' 'NR == 1 { r = $3; c = $5 } END { print r, c, NR - 1 }' "$workdir/kpi.txt")
    [ "$ours" = "$theirs" ] || { echo "callctl and psql disagree: callctl $ours, psql $theirs (requested connected days)" >&2; exit 1; }
    : > "$workdir/callctl.times"; : > "$workdir/psql.times"; : > "$workdir/rss"
    for _ in $(seq 1 "$runs"); do
        local started
        started=$(now); /usr/bin/time -v -o "$workdir/time.txt" "${kpi[@]}" > /dev/null
        elapsed "$started" >> "$workdir/callctl.times"
        awk -F': ' '/Maximum resident set size/ { print $2 }' "$workdir/time.txt" >> "$workdir/rss"
        started=$(now); "${sql[@]}" > /dev/null
        elapsed "$started" >> "$workdir/psql.times"
    done
    local ours_s theirs_s rss
    ours_s=$(median < "$workdir/callctl.times"); theirs_s=$(median < "$workdir/psql.times"); rss=$(sort -n "$workdir/rss" | tail -1)
    printf '%-10s sessions=%-9s callctl=%6.2fs  psql=%6.2fs  ratio=%.3f  callctl max RSS=%s KiB  (runs: callctl %s; psql %s)\n' \
        "$label" "$total" "$ours_s" "$theirs_s" "$(awk -v a="$ours_s" -v b="$theirs_s" 'BEGIN { print a / b }')" "$rss" \
        "$(paste -sd' ' "$workdir/callctl.times")" "$(paste -sd' ' "$workdir/psql.times")"
}

small=$(( sessions / 10 ))
started=$(now); seed_stage 0 "$small"
echo "seeded $small sessions in $(elapsed "$started") s" >&2
measure "small"
started=$(now); seed_stage "$small" $(( sessions - small ))
echo "seeded $(( sessions - small )) more sessions in $(elapsed "$started") s" >&2
measure "large"
