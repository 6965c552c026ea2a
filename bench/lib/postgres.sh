# Shared by the bench scripts: a throwaway PostgreSQL on a temporary directory, a free port and
# a unix socket (as the postgres user when run as root), stopped and removed on exit.
#   source bench/lib/postgres.sh
#   pg_start "-c fsync=off ..."      sets $bindir, $pg_work, $pg_port, $pg_socket; traps EXIT
#   pg_conn DBNAME                   a libpq conninfo for that database
#   free_port                        a free loopback TCP port
#   on_exit 'command'                runs before the server is stopped
#   seed_pairs PAIRS PER_PAIR        doctor/patient pairs with appointments on $DATABASE_URL
#   seed_history CALLS               past consultations (sessions, audit, outbox) and ANALYZE
#   migrate_and_seed PAIRS PER_PAIR  callctl migrate up, seed_pairs and seed_history on $DATABASE_URL
#   callctl_release SCRATCH          sets $callctl: $CALLCTL, or a release build in SCRATCH
#   wait_healthy PORT                waits (up to 10 s) until callctl serve answers /healthz
#   serve_on_free_port LOG ARGS...   $callctl serve on 127.0.0.1:0 (JSON log into LOG) in the
#                                    background; sets $serve_pid and $port, read back from its
#                                    `listening` line (no race for a free port); exits 1 when it
#                                    does not start

callctl_release() {
    callctl=${CALLCTL:-}
    [ -n "$callctl" ] && return
    echo "building callctl (release) ..." >&2
    swift build -c release --scratch-path "$1" --product callctl >&2
    callctl="$(swift build -c release --scratch-path "$1" --show-bin-path)/callctl"
}

wait_healthy() {
    local _
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return
        sleep 0.1
    done
}

serve_on_free_port() {
    local log=$1
    shift
    "$callctl" serve --listen 127.0.0.1:0 --log-format json --log-level notice "$@" 2>"$log" &
    serve_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(grep '"msg":"listening"' "$log" | sed -n 's/.*"address":"127\.0\.0\.1:\([0-9]*\)".*/\1/p' | head -n 1 || true)
        [ -n "$port" ] && break
        kill -0 "$serve_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "callctl serve did not start:" >&2; tail -5 "$log" >&2; exit 1
    fi
    echo "callctl serve (pid $serve_pid) listening on 127.0.0.1:$port" >&2
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

bindir=${CALLCTL_PG_BINDIR:-$(pg_config --bindir 2>/dev/null || true)}
if [ ! -x "$bindir/initdb" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bindir/initdb" ] || { echo "initdb not found: apt-get install postgresql, or set CALLCTL_PG_BINDIR" >&2; exit 69; }

pg_as_owner=()
if [ "$(id -u)" = 0 ]; then pg_as_owner=(runuser -u postgres --); fi
pg_work=$(mktemp -d "${TMPDIR:-/tmp}/callctl-bench-XXXXXX")
pg_socket="$pg_work/socket"
pg_exit_hooks=()

on_exit() { pg_exit_hooks+=("$1"); }

pg_cleanup() {
    local hook
    for hook in "${pg_exit_hooks[@]}"; do eval "$hook" || true; done
    "${pg_as_owner[@]}" "$bindir/pg_ctl" -D "$pg_work/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$pg_work"
}
trap pg_cleanup EXIT

pg_start() {
    pg_port=$(free_port)
    mkdir -p "$pg_socket"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$pg_work"; fi
    "${pg_as_owner[@]}" "$bindir/initdb" -D "$pg_work/data" -U postgres -E UTF8 --locale=C --auth=trust --no-sync >/dev/null 2>&1 \
        || { echo "initdb failed" >&2; exit 69; }
    "${pg_as_owner[@]}" "$bindir/pg_ctl" -D "$pg_work/data" -l "$pg_work/server.log" -w -t 60 \
        -o "-p $pg_port -k $pg_socket -c listen_addresses='' $1" start >/dev/null
}

pg_conn() { echo "host=$pg_socket port=$pg_port user=postgres dbname=$1"; }

# seed_pairs PAIRS PER_PAIR: on $DATABASE_URL (migrated), one tenant and PAIRS doctor/patient
# pairs (users 2p-1 and 2p, doctor and patient id p), each with PER_PAIR appointments scheduled
# now (pair p owns appointments (p-1)*PER_PAIR+1 .. p*PER_PAIR).
seed_pairs() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -v pairs="$1" -v per_pair="$2" <<'SQL'
INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench');
INSERT INTO users (id, tenant_id, name, email, role)
SELECT u, 1, 'user ' || u, 'u' || u || '@bench.test', CASE WHEN u % 2 = 1 THEN 'doctor' ELSE 'patient' END
FROM generate_series(1, 2 * :pairs) u;
INSERT INTO doctors (id, user_id) SELECT w, 2 * w - 1 FROM generate_series(1, :pairs) w;
INSERT INTO patients (id, user_id) SELECT w, 2 * w FROM generate_series(1, :pairs) w;
INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at)
SELECT a, 1, (a - 1) / :per_pair + 1, (a - 1) / :per_pair + 1, now()
FROM generate_series(1, :pairs * :per_pair) a;
ANALYZE;
SQL
}

# seed_history CALLS: on $DATABASE_URL (after seed_pairs), CALLS past consultations spread over
# the pairs, as a database in service holds them: a completed appointment a week ago, its ended
# session, four audit rows and four published outbox rows each; then ANALYZE, so the planner
# sees tables of that size (a lookup that scans history shows up as it would in production).
seed_history() {
    "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -v calls="$1" <<'SQL'
CREATE TEMP TABLE past AS
SELECT (SELECT coalesce(max(id), 0) FROM appointments) + g AS aid, gen_random_uuid() AS sid,
       1 + g % (SELECT count(*) FROM doctors) AS pair, now() - interval '7 days' + g * interval '1 second' AS at
FROM generate_series(1, :calls) g;
INSERT INTO appointments (id, tenant_id, doctor_id, patient_id, scheduled_at, status, started_at, ended_at)
SELECT aid, 1, pair, pair, at, 'completed', at, at + interval '20 minutes' FROM past;
INSERT INTO call_sessions (id, appointment_id, state, end_reason, caller_user_id, callee_user_id, requested_at,
                           accepted_at, connected_at, ended_at)
SELECT sid, aid, 'ended', 'hangup', 2 * pair - 1, 2 * pair, at, at + interval '5 seconds', at + interval '8 seconds',
       at + interval '20 minutes' FROM past;
INSERT INTO appointment_call_events (appointment_id, call_id, type, user_id, at, payload)
SELECT aid, sid, t.type, 2 * pair - 1 + (t.type = 'accept')::int, at + t.n * interval '1 second', '{"ip": "127.0.0.1"}'
FROM past, (VALUES (1, 'request'), (2, 'accept'), (3, 'join'), (4, 'end')) AS t(n, type);
INSERT INTO outbox (channel, event, payload, created_at, published_at, relayed_at)
SELECT 'private-appointments.' || aid, 'App\Events\AppointmentCall' || t.event, jsonb_build_object('appointmentId', aid),
       at, at, at
FROM past, (VALUES ('Requested'), ('Accepted'), ('Started'), ('Ended')) AS t(event);
ANALYZE;
SQL
}

# seeded_database PAIRS PER_PAIR: the serving benchmarks' database — a throwaway PostgreSQL
# for 200 connections (plus $PG_OPTIONS), migrated by callctl and seeded with seed_pairs and
# seed_history ($HISTORY past calls, default 100,000); exports DATABASE_URL.
seeded_database() {
    pg_start "-c max_connections=200 ${PG_OPTIONS:-}"
    export DATABASE_URL=$(pg_conn postgres)
    echo "seeding $1 doctor/patient pairs with $2 appointments each and ${HISTORY:-100000} past calls ..." >&2
    migrate_and_seed "$1" "$2"
}

# migrate_and_seed PAIRS PER_PAIR: migrates $DATABASE_URL with callctl, then seed_pairs and
# seed_history ($HISTORY past calls, default 100,000).
migrate_and_seed() {
    "$callctl" migrate up --log-level warning >/dev/null
    seed_pairs "$1" "$2"
    seed_history "${HISTORY:-100000}"
}

# stop_on_exit VAR...: on exit, stops and reaps the background processes whose pids the named
# variables hold then (empty ones are skipped).
stop_on_exit() {
    local names="$*"
    on_exit 'for name in '"$names"'; do pid=${!name}; [ -n "$pid" ] || continue; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done'
}
