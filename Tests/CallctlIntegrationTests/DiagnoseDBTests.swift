import Foundation
import CallStore
import LocalServices
import Postgres
import Testing

@Suite("diagnose db on a real PostgreSQL", .serialized)
struct DiagnoseDBTests {
    static let keys: Set<String> = ["status", "verdict", "exit_code", "database", "reachable", "migrations", "outbox",
                                    "max_backlog_age_seconds", "open_calls", "overdue_no_shows", "jobs"]

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
        #expect(text.standardOutput.contains("last no_show:     never"))

        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Set(json.keys) == Self.keys)
        #expect(json["status"] as? String == "healthy")
        #expect(json["verdict"] as? String == "healthy")
        #expect(json["exit_code"] as? Int == 0)
        #expect(json["reachable"] as? Bool == true)
        #expect(json["max_backlog_age_seconds"] as? Double == 300)
        let migrations = try #require(json["migrations"] as? [String: Any])
        #expect(Set(migrations.keys) == ["current_version", "latest_version", "pending", "changed", "unknown"])
        #expect(migrations["current_version"] as? Int == migrations["latest_version"] as? Int)
        let outbox = try #require(json["outbox"] as? [String: Any])
        #expect(Set(outbox.keys) == ["backlog", "oldest_pending_age_seconds", "not_relayed", "failing_count"])
        let calls = try #require(json["open_calls"] as? [String: [String: Int]])
        #expect(Set(calls.keys) == ["ringing", "accepted", "in_call"])
        #expect(calls["ringing"] == ["open": 0, "zombies": 0, "timeout_seconds": 30])
        #expect(json["overdue_no_shows"] as? Int == 0)
        let jobs = try #require(json["jobs"] as? [String: Any])
        #expect(Set(jobs.keys) == ["last_no_show_at", "last_reap_at"])
        #expect(jobs["last_no_show_at"] is NSNull)
        #expect(!outcome.standardOutput.contains("password"))
    }

    @Test("the jobs' last activity comes from the audit trail")
    func jobActivity() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-01T10:00:00Z", status: "no_show")
        try world.connection.query("""
            INSERT INTO appointment_call_events (appointment_id, type, at)
            VALUES ($1, 'no_show', '2026-03-01T10:45:00Z'), ($1, 'timeout', '2026-03-01T10:05:00Z'),
                   ($1, 'reaped', '2026-03-01T10:07:00Z'), ($1, 'leave', '2026-03-02T00:00:00Z')
            """, appointment)
        let (outcome, json) = try await world.runJSON(["diagnose", "db"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let jobs = try #require(json["jobs"] as? [String: String])
        #expect(jobs["last_no_show_at"]?.hasPrefix("2026-03-01T10:45:00") == true)
        #expect(jobs["last_reap_at"]?.hasPrefix("2026-03-01T10:07:00") == true)
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
        let calls = try #require(json["open_calls"] as? [String: [String: Int]])
        #expect(calls["ringing"] == ["open": 1, "zombies": 1, "timeout_seconds": 30])

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
    }

    @Test("an appointment left scheduled long after its window closed exits 1 naming callctl jobs no-show")
    func overdueNoShow() async throws {
        let world = try JobsWorld()
        try world.appointment(PGTimestamp.format(Date().addingTimeInterval(-3 * 3600)))
        let outcome = await world.run(["diagnose", "db"])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("overdue no-shows: 1"))
        #expect(outcome.standardOutput.contains("verdict: 1 appointment not marked no_show"))
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
