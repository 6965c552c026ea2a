import Foundation
import Testing

@Suite("jobs reap on a real PostgreSQL", .serialized)
struct JobsReapTests {
    /// Runs the reaper as of `now`; returns its JSON report.
    private func reap(_ world: JobsWorld, _ now: String, _ extra: [String] = []) async throws -> [String: Any] {
        let (outcome, json) = try await world.runJSON(["jobs", "reap", "--now", now] + extra)
        #expect(outcome.status == 0, "\(outcome.output)")
        return json
    }

    private func state(_ world: JobsWorld, _ call: UUID) throws -> String? {
        try world.value("SELECT state || coalesce(' ' || end_reason, '') || coalesce(' ' || ended_at::text, '') FROM call_sessions WHERE id = $1", call)
    }

    @Test("ringing: kept at exactly 30 s, timeout_no_answer one second later; the appointment is untouched")
    func ringing() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let call = try world.session(appointment, "ringing", requested: "2026-03-29T10:00:00Z")
        #expect(try await reap(world, "2026-03-29T10:00:30Z")["closed"] as? Int == 0)
        #expect(try state(world, call) == "ringing")
        let json = try await reap(world, "2026-03-29T10:00:31Z")
        #expect(json["closed"] as? Int == 1)
        #expect(json["by_reason"] as? [String: Int] == ["timeout_no_answer": 1, "connect_timeout": 0, "heartbeat_lost": 0, "max_duration": 0])
        #expect(try state(world, call) == "ended timeout_no_answer 2026-03-29 10:00:31+00")
        #expect(try world.status(appointment) == "scheduled")
        let audit = try world.audit(appointment)
        #expect(audit.map(\.type) == ["timeout"])
        #expect(audit.first?.payload == #"{"to": "ended", "job": "reap", "from": "ringing", "reason": "timeout_no_answer"}"#)
        let events = try world.outbox(appointment)
        #expect(events.map(\.event) == ["App\\Events\\AppointmentCallEnded"])
        #expect(events.first?.payload["reason"] as? String == "timeout_no_answer")
        #expect(events.first?.payload["callId"] as? String == call.uuidString.lowercased())
    }

    @Test("accepted: connect_timeout strictly after 60 s from accepted_at")
    func accepted() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let call = try world.session(appointment, "accepted", requested: "2026-03-29T10:00:00Z", accepted: "2026-03-29T10:00:10Z")
        #expect(try await reap(world, "2026-03-29T10:01:10Z")["closed"] as? Int == 0)
        let json = try await reap(world, "2026-03-29T10:01:11Z")
        #expect(json["by_reason"] as? [String: Int] == ["timeout_no_answer": 0, "connect_timeout": 1, "heartbeat_lost": 0, "max_duration": 0])
        #expect(try state(world, call) == "ended connect_timeout 2026-03-29 10:01:11+00")
        #expect(try world.audit(appointment).map(\.type) == ["timeout"])
        #expect(try world.outbox(appointment).first?.payload["reason"] as? String == "connect_timeout")
    }

    @Test("in_call: heartbeat_lost strictly after 90 s without a heartbeat; the appointment is completed with ended_at")
    func heartbeatLost() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z", status: "in_progress", startedAt: "2026-03-29T10:00:20Z")
        let call = try world.session(appointment, "in_call", requested: "2026-03-29T10:00:00Z", accepted: "2026-03-29T10:00:10Z",
                                     connected: "2026-03-29T10:00:20Z", heartbeat: "2026-03-29T10:05:00Z")
        #expect(try await reap(world, "2026-03-29T10:06:30Z")["closed"] as? Int == 0)
        let json = try await reap(world, "2026-03-29T10:06:31Z")
        #expect(json["by_reason"] as? [String: Int] == ["timeout_no_answer": 0, "connect_timeout": 0, "heartbeat_lost": 1, "max_duration": 0])
        #expect(json["completed_appointments"] as? [Int] == [Int(appointment)])
        #expect(try state(world, call) == "ended heartbeat_lost 2026-03-29 10:06:31+00")
        #expect(try world.value("SELECT status || ' ' || ended_at::text FROM appointments WHERE id = $1", appointment)
            == "completed 2026-03-29 10:06:31+00")
        let audit = try world.audit(appointment)
        #expect(audit.map(\.type) == ["reaped"])
        #expect(audit.first?.payload.contains(#""appointment": "completed""#) == true)
        let events = try world.outbox(appointment)
        #expect(events.first?.payload["reason"] as? String == "heartbeat_lost")
        #expect(events.first?.payload["duration"] as? Int == 371)
    }

    @Test("in_call with fresh heartbeats past timeouts.max_call: ended max_duration, the appointment completed")
    func maxDuration() async throws {
        let world = try JobsWorld()
        try world.connection.query("INSERT INTO settings (key, value) VALUES ('timeouts.max_call', '3600')")
        let appointment = try world.appointment("2026-03-29T10:00:00Z", status: "in_progress", startedAt: "2026-03-29T10:00:20Z")
        let call = try world.session(appointment, "in_call", requested: "2026-03-29T10:00:00Z", accepted: "2026-03-29T10:00:10Z",
                                     connected: "2026-03-29T10:00:20Z", heartbeat: "2026-03-29T11:00:10Z")
        #expect(try await reap(world, "2026-03-29T11:00:20Z")["closed"] as? Int == 0)
        let json = try await reap(world, "2026-03-29T11:00:21Z")
        #expect(json["by_reason"] as? [String: Int] == ["timeout_no_answer": 0, "connect_timeout": 0, "heartbeat_lost": 0, "max_duration": 1])
        #expect(try state(world, call) == "ended max_duration 2026-03-29 11:00:21+00")
        #expect(try world.status(appointment) == "completed")
        #expect(try world.audit(appointment).map(\.type) == ["reaped"])
        #expect(try world.outbox(appointment).first?.payload["reason"] as? String == "max_duration")
    }

    @Test("zombie: an in_progress appointment with no open call is completed strictly after 10 min of inactivity")
    func zombie() async throws {
        let world = try JobsWorld()
        let zombie = try world.appointment("2026-03-29T10:00:00Z", status: "in_progress", startedAt: "2026-03-29T10:00:20Z")
        try world.session(zombie, "ended", requested: "2026-03-29T10:00:00Z", ended: "2026-03-29T10:20:00Z", reason: "error")
        let busy = try world.appointment("2026-03-29T10:00:00Z", status: "in_progress", startedAt: "2026-03-29T10:00:20Z")
        let open = try world.session(busy, "in_call", requested: "2026-03-29T10:00:00Z", connected: "2026-03-29T10:00:20Z",
                                     heartbeat: "2026-03-29T10:29:59Z")
        #expect((try await reap(world, "2026-03-29T10:30:00Z")["zombie_appointments"] as? [Int])?.isEmpty == true)
        let json = try await reap(world, "2026-03-29T10:30:01Z")
        #expect(json["zombie_appointments"] as? [Int] == [Int(zombie)])
        #expect(json["closed"] as? Int == 0)
        #expect(try world.value("SELECT status || ' ' || ended_at::text FROM appointments WHERE id = $1", zombie)
            == "completed 2026-03-29 10:30:01+00")
        #expect(try world.status(busy) == "in_progress")
        #expect(try state(world, open) == "in_call")
        #expect(try world.audit(zombie).map(\.type) == ["reaped"])
        #expect(try world.outbox(zombie).isEmpty)
    }

    @Test("timeouts come from the settings table; --dry-run changes nothing")
    func settingsAndDryRun() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let call = try world.session(appointment, "ringing", requested: "2026-03-29T10:00:00Z")
        #expect(await world.run(["config", "set", "timeouts.ringing", "5s"]).status == 0)
        let preview = try await reap(world, "2026-03-29T10:00:06Z", ["--dry-run"])
        #expect(preview["dry_run"] as? Bool == true)
        #expect(preview["closed"] as? Int == 1)
        #expect(try state(world, call) == "ringing")
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 0)
        #expect(try world.count("SELECT count(*) FROM outbox") == 0)
        #expect(try await reap(world, "2026-03-29T10:00:06Z")["closed"] as? Int == 1)
        #expect(try await reap(world, "2026-03-29T10:00:06Z")["closed"] as? Int == 0)
        #expect(try world.count("SELECT count(*) FROM outbox") == 1)
    }

    @Test("text output names what was reaped")
    func textOutput() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let call = try world.session(appointment, "ringing", requested: "2026-03-29T10:00:00Z")
        let outcome = await world.run(["jobs", "reap", "--now", "2026-03-29T10:01:00Z"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("ended 1 call (timeout_no_answer 1, connect_timeout 0, heartbeat_lost 0, max_duration 0)"), "\(outcome.output)")
        #expect(outcome.standardOutput.contains(call.uuidString.lowercased()))
    }
}
