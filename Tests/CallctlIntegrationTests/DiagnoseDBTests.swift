import Foundation
import CallStore
import LocalServices
import Postgres
import Testing

@Suite("diagnose db on a real PostgreSQL", .serialized)
struct DiagnoseDBTests {
    static let keys: Set<String> = ["status", "verdict", "exit_code", "database", "reachable", "migrations", "outbox",
                                    "max_backlog_age_seconds", "max_job_gap_seconds", "open_calls", "overdue_no_shows",
                                    "overdue_no_show_age_seconds", "recordings", "jobs", "ice_servers"]

    @Test("a migrated, quiet database is healthy: exit 0, every figure, the verdict last")
    func healthy() async throws {
        let world = try JobsWorld()
        let text = await world.run(["diagnose", "db"])
        #expect(text.status == 0, "\(text.output)")
        let lines = text.standardOutput.split(separator: "\n")
        #expect(lines.last == "verdict: healthy")
        #expect(text.standardOutput.contains("reachable:        yes"))
        #expect(text.standardOutput.contains("0 pending, 0 changed, 0 unknown"))
        #expect(text.standardOutput.contains("open calls:       ringing 0 (0 over 30s), accepted 0 (0 over 60s), in_call 0 (0 over 90s)"))
        #expect(text.standardOutput.contains("last no_show:     never ran"))
        #expect(text.standardOutput.contains("recordings:       none received"))

        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Set(json.keys) == Self.keys)
        #expect(json["status"] as? String == "healthy")
        #expect(json["verdict"] as? String == "healthy")
        #expect(json["exit_code"] as? Int == 0)
        #expect(json["reachable"] as? Bool == true)
        #expect(json["max_backlog_age_seconds"] as? Double == 300)
        #expect(json["max_job_gap_seconds"] as? Double == 900)
        let migrations = try #require(json["migrations"] as? [String: Any])
        #expect(Set(migrations.keys) == ["current_version", "latest_version", "pending", "changed", "unknown"])
        #expect(migrations["current_version"] as? Int == migrations["latest_version"] as? Int)
        let outbox = try #require(json["outbox"] as? [String: Any])
        #expect(Set(outbox.keys) == ["backlog", "oldest_pending_age_seconds", "not_relayed", "failing_count", "external_target",
                                     "refused_error"])
        #expect(outbox["external_target"] is NSNull)
        let calls = try #require(json["open_calls"] as? [String: [String: Any]])
        #expect(Set(calls.keys) == ["ringing", "accepted", "in_call"])
        #expect(Set(calls["ringing"]?.keys ?? [:].keys) == ["open", "zombies", "timeout_seconds", "oldest_overdue_seconds"])
        #expect(calls["ringing"]?["timeout_seconds"] as? Int == 30)
        #expect(calls["ringing"]?["oldest_overdue_seconds"] is NSNull)
        #expect(json["overdue_no_shows"] as? Int == 0)
        #expect(json["overdue_no_show_age_seconds"] is NSNull)
        let jobs = try #require(json["jobs"] as? [String: [String: Any]])
        #expect(Set(jobs.keys) == ["no_show", "reap", "purge_recordings"])
        #expect(Set(jobs["reap"]?.keys ?? [:].keys) == ["state", "last_run", "last_change"])
        #expect(jobs["no_show"]?["state"] as? String == "never_ran")
        #expect(jobs["no_show"]?["last_run"] is NSNull)
        #expect(!outcome.standardOutput.contains("password"))
    }

    @Test("cron idle: recent runs that changed nothing are healthy, with each run's start, end, outcome and counts")
    func cronIdle() async throws {
        let world = try JobsWorld()
        #expect(await world.run(["jobs", "reap"]).status == 0)
        #expect(await world.run(["jobs", "no-show"]).status == 0)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let jobs = try #require(json["jobs"] as? [String: [String: Any]])
        for job in ["reap", "no_show"] {
            #expect(jobs[job]?["state"] as? String == "idle")
            let run = try #require(jobs[job]?["last_run"] as? [String: Any])
            #expect(Set(run.keys) == ["started_at", "finished_at", "outcome", "claimed", "changed", "error", "age_seconds"])
            #expect(run["outcome"] as? String == "succeeded")
            #expect(run["changed"] as? Int == 0)
            #expect(run["finished_at"] is String)
            #expect(run["error"] is NSNull)
            #expect(jobs[job]?["last_change"] is NSNull)
        }
        let text = await world.run(["diagnose", "db"])
        #expect(text.standardOutput.contains("last reap:        idle: started "), "\(text.output)")
        #expect(text.standardOutput.contains("succeeded, claimed 0, changed 0; no change in 30 days"))
    }

    @Test("cron stopped: no run for longer than --max-job-gap exits 1 saying so, even with nothing due")
    func cronStopped() async throws {
        let world = try JobsWorld()
        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, finished_at, outcome, claimed, changed) VALUES
              ('reap', now() - interval '20 minutes', now() - interval '20 minutes', 'succeeded', 2, 2),
              ('no_show', now() - interval '1 minute', now() - interval '1 minute', 'succeeded', 0, 0)
            """)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        let verdict = try #require(json["verdict"] as? String)
        #expect(verdict.hasPrefix("the `callctl jobs reap` cron is not running: its last run started 20m"), "\(verdict)")
        #expect(verdict.contains("(limit 15m00s)"))
        #expect(verdict.contains("playbooks/zombie-calls.md"))
        let jobs = try #require(json["jobs"] as? [String: [String: Any]])
        #expect(jobs["reap"]?["state"] as? String == "stopped")
        #expect((jobs["reap"]?["last_change"] as? [String: Any])?["changed"] as? Int == 2)
        #expect(await world.run(["diagnose", "db", "--max-job-gap", "3600"]).status == 0)
        #expect(await world.run(["diagnose", "db", "--max-job-gap", "0"]).status == 64)

        let appointment = try world.appointment(PGTimestamp.format(Date()))
        try world.session(appointment, "ringing", requested: PGTimestamp.format(Date().addingTimeInterval(-45)))
        let zombies = await world.run(["diagnose", "db"])
        #expect(zombies.status == 1)
        #expect(zombies.standardOutput.contains("verdict: 1 zombie call outlived the reaper's timeouts (ringing 1), the oldest by 1"),
                "\(zombies.output)")
        #expect(zombies.standardOutput.contains("the `callctl jobs reap` cron is not running"))
    }

    @Test("cron failing: a recent failed run exits 1 with its error")
    func cronFailing() async throws {
        let world = try JobsWorld()
        try world.connection.query("""
            INSERT INTO job_runs (job, started_at, finished_at, outcome, error) VALUES
              ('reap', now() - interval '30 seconds', now() - interval '29 seconds', 'succeeded', NULL),
              ('no_show', now() - interval '40 seconds', now() - interval '39 seconds', 'failed', 'the database refused a statement: boom')
            """)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        let verdict = try #require(json["verdict"] as? String)
        #expect(verdict.hasPrefix("`callctl jobs no-show` is failing: its last run, 4"), "\(verdict)")
        #expect(verdict.contains("failed: the database refused a statement: boom"))
        let jobs = try #require(json["jobs"] as? [String: [String: Any]])
        #expect(jobs["no_show"]?["state"] as? String == "failing")
        #expect((jobs["no_show"]?["last_run"] as? [String: Any])?["error"] as? String == "the database refused a statement: boom")
        #expect(jobs["reap"]?["state"] as? String == "idle")
    }

    @Test("rows the external server refused are flagged at once with its error, not as a backlog")
    func externalRefusals() async throws {
        let world = try JobsWorld()
        let target = "http://pusher.test:8080/apps/77"
        try world.connection.query("INSERT INTO outbox_external (target) VALUES ($1)", target)
        try world.connection.query("INSERT INTO hub_daemons (id, external_target) VALUES (gen_random_uuid(), $1)", target)
        try world.connection.query("""
            INSERT INTO outbox (channel, event, payload, relayed_at, attempts, last_error)
            VALUES ('private-appointments.1', 'App\\Events\\AppointmentNoShow', '{}', now(), 2, 'HTTP 401: invalid signature')
            """)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        let verdict = try #require(json["verdict"] as? String)
        #expect(verdict.hasPrefix("1 outbox row refused by the external server \(target): HTTP 401: invalid signature"), "\(verdict)")
        #expect(verdict.contains("callctl outbox flush"))
        #expect(!verdict.contains("callctl serve"))
        let outbox = try #require(json["outbox"] as? [String: Any])
        #expect(outbox["external_target"] as? String == target)
        #expect(outbox["refused_error"] as? String == "HTTP 401: invalid signature")
    }

    @Test("a database nobody migrated exits 78 and says to run callctl migrate up")
    func unmigrated() async throws {
        let database = try TestDatabase()
        let outcome = await InProcess.run(["diagnose", "db"], environment: ["DATABASE_URL": database.connectionString])
        #expect(outcome.status == 78, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("callctl migrate up"))
        let json = await InProcess.run(["diagnose", "db", "--format", "json"], environment: ["DATABASE_URL": database.connectionString])
        #expect(json.status == 78, "\(json.output)")
        #expect(try json.json()["status"] as? String == "schema_missing")
    }

    @Test("pending outbox rows older than --max-backlog-age exit 1 naming the backlog")
    func outboxBacklog() async throws {
        let world = try JobsWorld()
        try world.connection.query("""
            INSERT INTO outbox (channel, event, payload, created_at)
            SELECT 'private-appointments.' || g, 'App\\Events\\AppointmentCallRequested', '{}', now() - interval '12 minutes'
            FROM generate_series(1, 1234) g
            """)
        let outcome = await world.run(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        let verdict = outcome.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
        #expect(verdict.hasPrefix("verdict: outbox backlog 1,234 rows, oldest 12m"))
        #expect(verdict.contains("callctl serve"))
        #expect(verdict.contains("playbooks/echo-no-events.md"))

        let patient = await world.run(["diagnose", "db", "--max-backlog-age", "3600"])
        #expect(patient.status == 0, "\(patient.output)")
    }

    @Test("a ringing call older than timeouts.ringing is a zombie: exit 1 naming callctl jobs reap")
    func zombieCall() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment(PGTimestamp.format(Date()))
        try world.connection.query("""
            INSERT INTO call_sessions (id, appointment_id, state, caller_user_id, callee_user_id, requested_at)
            VALUES (gen_random_uuid(), $1, 'ringing', $2, $3, now() - interval '45 seconds')
            """, appointment, world.doctorUserId, world.patientUserId)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(json["status"] as? String == "problem")
        let verdict = try #require(json["verdict"] as? String)
        #expect(verdict.contains("1 zombie call"))
        #expect(verdict.contains("callctl jobs reap"))
        let calls = try #require(json["open_calls"] as? [String: [String: Any]])
        #expect(calls["ringing"]?["open"] as? Int == 1 && calls["ringing"]?["zombies"] as? Int == 1)
        let overdue = try #require(calls["ringing"]?["oldest_overdue_seconds"] as? Double)
        #expect(overdue >= 15 && overdue < 60)

        try world.connection.query("INSERT INTO settings (key, value) VALUES ('timeouts.ringing', '120')")
        let lenient = await world.run(["diagnose", "db"])
        #expect(lenient.status == 0, "\(lenient.output)")
        #expect(lenient.standardOutput.contains("ringing 1 (0 over 120s)"))
    }

    @Test("a pending migration exits 1 and says to run callctl migrate up; the other figures are not read")
    func pendingMigration() async throws {
        let world = try JobsWorld()
        let down = await world.run(["migrate", "down", "--to", "\(MigrationCatalog.latestVersion - 1)"])
        #expect(down.status == 0, "\(down.output)")
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect((json["verdict"] as? String)?.contains("1 migration pending") == true)
        #expect((json["verdict"] as? String)?.contains("callctl migrate up") == true)
        #expect(json["outbox"] is NSNull)
        #expect(json["open_calls"] is NSNull)
        #expect(json["recordings"] is NSNull)
    }

    @Test("an appointment left scheduled long after its window closed exits 1 naming callctl jobs no-show")
    func overdueNoShow() async throws {
        let world = try JobsWorld()
        try world.appointment(PGTimestamp.format(Date().addingTimeInterval(-3 * 3600)))
        let outcome = await world.run(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("overdue no-shows: 1 (the oldest window closed 2h15m ago)"), "\(outcome.output)")
        #expect(outcome.standardOutput.contains("verdict: 1 appointment not marked no_show, the oldest 2h15m after its window closed: "
                                                + "the `callctl jobs no-show` cron is not running: it never ran"))
        #expect(outcome.standardOutput.contains("callctl jobs no-show"))
        #expect(outcome.standardOutput.contains("playbooks/no-show-backlog.md"))
    }

    @Test("nothing listening on the port: exit 69 naming host and port, never the password")
    func unreachable() async throws {
        let port = try LocalHost.freePort()
        let outcome = await InProcess.run(["diagnose", "db", "--database-url",
                                   "host=127.0.0.1 port=\(port) user=ops password=s3cret-diag connect_timeout=3"])
        #expect(outcome.status == 69, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("reachable:        no"))
        #expect(outcome.standardOutput.contains("127.0.0.1"))
        #expect(outcome.standardOutput.contains("\(port)"))
        #expect(outcome.standardOutput.contains("pg_isready"))
        #expect(!outcome.output.contains("s3cret-diag"))

        let json = await InProcess.run(["diagnose", "db", "--format", "json", "--database-url", "host=127.0.0.1 port=\(port)"])
        #expect(json.status == 69, "\(json.output)")
        let object = try json.json()
        #expect(Set(object.keys) == Self.keys)
        #expect(object["reachable"] as? Bool == false)
        #expect(object["status"] as? String == "unreachable")
        #expect(object["migrations"] is NSNull)
    }
}
