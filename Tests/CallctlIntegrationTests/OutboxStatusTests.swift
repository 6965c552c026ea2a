import Foundation
import Testing

@Suite("outbox status on a real PostgreSQL", .serialized)
struct OutboxStatusTests {
    static let keys: Set<String> = ["backlog", "oldest_pending_age_seconds", "not_relayed", "failing_count", "failing",
                                    "published_last_hour", "max_age_seconds", "max_age_exceeded", "external_target",
                                    "destination_problems", "webhooks"]

    @Test("an empty outbox: zero everywhere, no oldest age, exit 0 even with --max-age")
    func empty() async throws {
        let world = try OutboxWorld()
        let (outcome, json) = try await world.runJSON(["outbox", "status", "--max-age", "1"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Set(json.keys) == Self.keys)
        #expect(json["backlog"] as? Int == 0)
        #expect(json["oldest_pending_age_seconds"] is NSNull)
        #expect(json["not_relayed"] as? Int == 0)
        #expect(json["failing_count"] as? Int == 0)
        #expect((json["failing"] as? [Any])?.isEmpty == true)
        #expect(json["published_last_hour"] as? Int == 0)
        #expect(json["max_age_seconds"] as? Double == 1)
        #expect(json["max_age_exceeded"] as? Bool == false)

        let text = await world.run(["outbox", "status"])
        #expect(text.status == 0, "\(text.output)")
        #expect(text.standardOutput.contains("backlog:             0 events not yet published"))
        #expect(text.standardOutput.contains("oldest pending:      none"))
        #expect(text.standardOutput.contains("webhooks:            none"))
        #expect(!text.standardOutput.contains("LAST ERROR"))
    }

    @Test("a backlog with unrelayed, failing and published rows; --max-age alerts with exit 1")
    func backlog() async throws {
        let world = try OutboxWorld()
        let ids = try world.addRows(5)
        try world.connection.query("UPDATE outbox SET created_at = now() - interval '150 seconds' WHERE id = $1", ids[0])
        try world.connection.query("UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])", "{\(ids[0]),\(ids[1]),\(ids[4])}")
        try world.connection.query("""
            UPDATE outbox SET attempts = 3, last_error = 'the external server failed (HTTP 502)',
                   next_attempt_at = '2030-01-02T03:04:05Z' WHERE id = $1
            """, ids[1])
        try world.connection.query("UPDATE outbox SET published_at = now() - interval '10 minutes' WHERE id = $1", ids[4])

        let (outcome, json) = try await world.runJSON(["outbox", "status"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(Set(json.keys) == Self.keys)
        #expect(json["backlog"] as? Int == 4)
        let age = try #require(json["oldest_pending_age_seconds"] as? Double)
        #expect(age >= 150 && age < 600)
        #expect(json["not_relayed"] as? Int == 2)
        #expect(json["failing_count"] as? Int == 1)
        #expect(json["published_last_hour"] as? Int == 1)
        #expect(json["max_age_seconds"] is NSNull)
        let failing = try #require(json["failing"] as? [[String: Any]])
        #expect(failing.count == 1)
        #expect(Set(failing[0].keys) == ["id", "event", "channel", "attempts", "last_error", "next_attempt_at"])
        #expect(failing[0]["id"] as? Int == Int(ids[1]))
        #expect(failing[0]["event"] as? String == "App\\Events\\AppointmentCallRequested")
        #expect(failing[0]["channel"] as? String == "private-appointments.2")
        #expect(failing[0]["attempts"] as? Int == 3)
        #expect(failing[0]["last_error"] as? String == "the external server failed (HTTP 502)")
        #expect(failing[0]["next_attempt_at"] as? String == "2030-01-02T03:04:05.000000Z")

        let text = await world.run(["outbox", "status"])
        #expect(text.status == 0, "\(text.output)")
        #expect(text.standardOutput.contains("backlog:             4 events not yet published"))
        #expect(text.standardOutput.contains("oldest pending:      2m"))
        #expect(text.standardOutput.contains("not relayed:         2 (no daemon's hub has delivered them yet)"))
        #expect(text.standardOutput.contains("published last hour: 1"))
        #expect(text.standardOutput.contains("ID  EVENT"))
        #expect(text.standardOutput.contains("2030-01-02T03:04:05Z  the external server failed (HTTP 502)"))

        let late = await world.run(["outbox", "status", "--max-age", "60"])
        #expect(late.status == 1, "\(late.output)")
        #expect(late.standardOutput.contains("backlog:"))
        #expect(late.standardError.contains("over --max-age 1m00s"))
        let (fine, fineJSON) = try await world.runJSON(["outbox", "status", "--max-age", "3600"])
        #expect(fine.status == 0, "\(fine.output)")
        #expect(fineJSON["max_age_exceeded"] as? Bool == false)
    }

    @Test("a database without callctl's schema exits 78 with the fix")
    func noSchema() async throws {
        let database = try TestDatabase()
        let outcome = await InProcess.run(["outbox", "status"], environment: ["DATABASE_URL": database.connectionString])
        #expect(outcome.status == 78, "\(outcome.output)")
        #expect(outcome.standardError.contains("callctl migrate up"))
    }
}
