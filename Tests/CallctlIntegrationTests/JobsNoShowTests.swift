import Foundation
import Testing

@Suite("jobs no-show on a real PostgreSQL", .serialized)
struct JobsNoShowTests {
    @Test("marks only scheduled, never started appointments whose window closed, to the second")
    func marksOnlyDue() async throws {
        let world = try JobsWorld()
        // 30 minutes + 15 minutes of grace: 10:00:00 closes at 10:45:00, 10:00:01 at 10:45:01.
        let due = try world.appointment("2026-03-29T10:00:00Z")
        let edge = try world.appointment("2026-03-29T10:00:01Z")
        let longer = try world.appointment("2026-03-29T10:00:00Z", minutes: 60)
        let started = try world.appointment("2026-03-29T10:00:00Z", startedAt: "2026-03-29T10:01:00Z")
        let others = try ["in_progress", "completed", "cancelled", "rescheduled", "no_show"].map {
            try world.appointment("2026-03-29T09:00:00Z", status: $0)
        }
        let (outcome, json) = try await world.runJSON(["jobs", "no-show", "--now", "2026-03-29T10:45:01Z"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(json["job"] as? String == "no_show")
        #expect(json["dry_run"] as? Bool == false)
        #expect(json["marked"] as? Int == 1)
        #expect(json["appointment_ids"] as? [Int] == [Int(due)])
        #expect(try world.status(due) == "no_show")
        #expect(try world.status(edge) == "scheduled")
        #expect(try world.status(longer) == "scheduled")
        #expect(try world.status(started) == "scheduled")
        for (id, status) in zip(others, ["in_progress", "completed", "cancelled", "rescheduled", "no_show"]) {
            #expect(try world.status(id) == status)
        }

        let (_, later) = try await world.runJSON(["jobs", "no-show", "--now", "2026-03-29T10:45:02Z"])
        #expect(later["appointment_ids"] as? [Int] == [Int(edge)])
        #expect(try world.count("SELECT count(*) FROM outbox") == 2)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 2)
        for id in [due, edge] {
            #expect(try world.audit(id).map(\.type) == ["no_show"])
            #expect(try world.outbox(id).map(\.event) == ["App\\Events\\AppointmentNoShow"])
        }
    }

    @Test("an open call ends with window_closed; audit and outbox rows carry the right names and payloads")
    func closesOpenCall() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let call = try world.session(appointment, "accepted", requested: "2026-03-29T10:20:00Z", accepted: "2026-03-29T10:20:05Z")
        let (outcome, json) = try await world.runJSON(["jobs", "no-show", "--now", "2026-03-29T10:50:00Z"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(json["closed_calls"] as? Int == 1)
        #expect(try world.value("SELECT state || ' ' || end_reason || ' ' || ended_at::text FROM call_sessions WHERE id = $1", call)
            == "ended window_closed 2026-03-29 10:50:00+00")

        let audit = try world.audit(appointment)
        #expect(audit.map(\.type) == ["no_show", "no_show"])
        #expect(audit.map(\.callId) == [call.uuidString.lowercased(), nil])
        #expect(audit.allSatisfy { $0.at == "2026-03-29 10:50:00+00" })
        #expect(audit[0].payload == #"{"to": "ended", "job": "no_show", "from": "accepted", "reason": "window_closed"}"#)
        #expect(audit[1].payload == #"{"to": "no_show", "job": "no_show", "from": "scheduled"}"#)

        let events = try world.outbox(appointment)
        #expect(events.map(\.event) == ["App\\Events\\AppointmentCallEnded", "App\\Events\\AppointmentNoShow"])
        #expect(events[0].payload["callId"] as? String == call.uuidString.lowercased())
        #expect(events[0].payload["reason"] as? String == "window_closed")
        #expect(events[0].payload["duration"] as? Int == 0)
        #expect(events[0].payload["at"] as? String == "2026-03-29T10:50:00.000Z")
        #expect(Set(events[1].payload.keys) == ["appointmentId", "at"])
        #expect(events[1].payload["appointmentId"] as? Int == Int(appointment))
        #expect(events[1].payload["at"] as? String == "2026-03-29T10:50:00.000Z")
        #expect(try world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 0") == 2)
    }

    @Test("window.grace and events.namespace are read from the settings table at each run")
    func settingsAtEachRun() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-29T10:00:00Z")
        let (_, before) = try await world.runJSON(["jobs", "no-show", "--now", "2026-03-29T10:31:00Z"])
        #expect(before["marked"] as? Int == 0)
        #expect(await world.run(["config", "set", "window.grace", "0"]).status == 0)
        #expect(await world.run(["config", "set", "events.namespace", "Clinic\\Calls"]).status == 0)
        let (_, after) = try await world.runJSON(["jobs", "no-show", "--now", "2026-03-29T10:31:00Z"])
        #expect(after["appointment_ids"] as? [Int] == [Int(appointment)])
        #expect(try world.outbox(appointment).map(\.event) == ["Clinic\\Calls\\AppointmentNoShow"])
    }

    @Test("--dry-run reports what would change and changes nothing")
    func dryRun() async throws {
        let world = try JobsWorld()
        let ids = try world.dueAppointments(12, before: "2026-03-29T10:00:00Z")
        try world.session(ids[0], "ringing", requested: "2026-03-29T09:00:00Z")
        let (outcome, json) = try await world.runJSON(["jobs", "no-show", "--dry-run", "--batch-size", "5", "--now", "2026-03-29T10:00:00Z"])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(json["dry_run"] as? Bool == true)
        #expect(json["marked"] as? Int == 12)
        #expect(json["appointment_ids"] as? [Int] == ids.map(Int.init))
        #expect(json["closed_calls"] as? Int == 1)
        #expect(try world.count("SELECT count(*) FROM appointments WHERE status = 'scheduled'") == 12)
        #expect(try world.count("SELECT count(*) FROM call_sessions WHERE state = 'ringing'") == 1)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 0)
        #expect(try world.count("SELECT count(*) FROM outbox") == 0)
        let text = await world.run(["jobs", "no-show", "--dry-run", "--now", "2026-03-29T10:00:00Z"])
        #expect(text.standardOutput.contains("would mark 12 appointments no_show"), "\(text.output)")
    }

    @Test("--now travels in time: the clock's verdict is replaced by the given instant's")
    func nowTimeTravel() async throws {
        let world = try JobsWorld()
        let future = try world.appointment("2099-01-01T12:00:00+02:00")
        let past = try world.appointment("2020-01-01T10:00:00Z")
        let (_, early) = try await world.runJSON(["jobs", "no-show", "--now", "2020-01-01T10:45:00Z"])
        #expect(early["marked"] as? Int == 0)
        let (_, offset) = try await world.runJSON(["jobs", "no-show", "--now", "2020-01-01T11:45:01+01:00"])
        #expect(offset["appointment_ids"] as? [Int] == [Int(past)])
        #expect(offset["now"] as? String == "2020-01-01T10:45:01.000000Z")
        let (_, clock) = try await world.runJSON(["jobs", "no-show"])
        #expect(clock["marked"] as? Int == 0)
        let (_, later) = try await world.runJSON(["jobs", "no-show", "--now", "2099-01-01T10:45:01Z"])
        #expect(later["appointment_ids"] as? [Int] == [Int(future)])
    }

    @Test("a rerun is a no-op: nothing marked, no new audit or outbox rows")
    func rerun() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(7, before: "2026-03-29T10:00:00Z")
        let (_, first) = try await world.runJSON(["jobs", "no-show", "--batch-size", "3", "--now", "2026-03-29T10:00:00Z"])
        #expect(first["marked"] as? Int == 7)
        #expect(first["batches"] as? Int == 3)
        let (_, second) = try await world.runJSON(["jobs", "no-show", "--batch-size", "3", "--now", "2026-03-29T10:00:00Z"])
        #expect(second["marked"] as? Int == 0)
        #expect(try world.count("SELECT count(*) FROM outbox") == 7)
        #expect(try world.count("SELECT count(*) FROM appointment_call_events") == 7)
        #expect(try world.brokenNoShowTrails() == 0)
    }

    @Test("each committed batch notifies callctl_outbox with its number of events; a dry run notifies nothing")
    func notifies() async throws {
        let world = try JobsWorld()
        _ = try world.dueAppointments(3, before: "2026-03-29T10:00:00Z")
        let listener = try world.database.connect()
        try listener.listen("callctl_outbox")
        #expect(await world.run(["jobs", "no-show", "--dry-run", "--now", "2026-03-29T10:00:00Z"]).status == 0)
        #expect(try listener.waitForNotification(timeout: .milliseconds(300)) == nil)
        #expect(await world.run(["jobs", "no-show", "--batch-size", "2", "--now", "2026-03-29T10:00:00Z"]).status == 0)
        let first = try listener.waitForNotification(timeout: .seconds(5))
        let second = try listener.waitForNotification(timeout: .seconds(5))
        #expect([first?.payload, second?.payload] == ["2", "1"])
        #expect(first?.channel == "callctl_outbox")
    }
}
