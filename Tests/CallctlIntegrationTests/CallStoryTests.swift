import CallStore
import Foundation
import Postgres
import Testing

/// `callctl call show`, `call list`, `call end` and `diagnose call` on real histories: built
/// through the daemon's router (in-process), the jobs and the hub's own writes, with the relay's
/// delivery times set where the story needs them.
@Suite("callctl call: one consultation's story", .serialized)
struct CallStoryTests {
    /// `call show --format json` for `id`, with the verdict's code.
    private func show(_ s: RouterWorld, _ id: String) async throws -> (json: [String: Any], text: String, code: String?) {
        let json = await s.world.run(["call", "show", id, "--format", "json"])
        #expect(json.status == 0, "\(json.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let text = await s.world.run(["call", "show", id])
        #expect(text.status == 0, "\(text.standardError)")
        return (object, text.standardOutput, (object["verdict"] as? [String: Any])?["code"] as? String)
    }

    /// Marks an appointment's outbox rows delivered, `seconds` after they were written.
    private func delivered(_ s: RouterWorld, _ appointment: Int64, after seconds: Double = 0.01) throws {
        try s.world.connection.query("""
            UPDATE outbox SET relayed_at = created_at + make_interval(secs => $2), published_at = created_at + make_interval(secs => $2)
            WHERE channel = $1
            """, "private-appointments.\(appointment)", seconds)
    }

    @Test("a completed call: every step with actor, IP and user agent; events delivered; verdict completed")
    func completed() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            #expect(try await s.call("accept", appointment, as: s.patient, callId: callId).status == 200)
            #expect(try await s.call("started", appointment, as: s.doctor, callId: callId).status == 200)
            #expect(try await s.call("started", appointment, as: s.patient, callId: callId).status == 200)
            #expect(try await s.call("end", appointment, as: s.patient, callId: callId).status == 200)
            try delivered(s, appointment)
            let (json, text, code) = try await show(s, String(appointment))
            #expect(code == "completed", "\(text)")
            let sessions = try #require(json["sessions"] as? [[String: Any]])
            let steps = try #require(sessions.first?["steps"] as? [[String: Any]])
            #expect(steps.compactMap { $0["type"] as? String } == ["request", "accept", "join", "join", "leave"])
            #expect(steps.allSatisfy { $0["user_agent"] as? String == ServeProcess.userAgent }, "\(steps)")
            #expect(text.contains("verdict: the call connected at") && text.contains("(the patient)"), "\(text)")
            // The call id finds the same story.
            #expect(try await show(s, callId).code == "completed")
        }
    }

    @Test("a busy refusal is listed and concluded: no call was placed")
    func busy() async throws {
        try await RouterWorld.test { s in
            let first = try s.appointment(), second = try s.appointment()
            _ = try await s.ring(first)
            let refused = try await s.call("request", second, as: s.doctor)
            #expect(refused.status == 409, "\(refused.text)")
            let (json, text, code) = try await show(s, String(second))
            #expect(code == "refused_busy", "\(text)")
            #expect((json["refusals"] as? [[String: Any]])?.count == 1)
            #expect(text.contains("refusals:"), "\(text)")
        }
    }

    @Test("a ringing call reaped as timeout_no_answer while the patient was subscribed: nobody answered")
    func reaped() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let auth = try await s.server.request("POST", "/broadcasting/auth", token: try s.token(s.patient),
                                                  json: ["socket_id": "111.222", "channel_name": "private-appointments.\(appointment)"])
            #expect(auth.status == 200, "\(auth.text)")
            try HubStore(connection: s.world.connection).apply(
                [.subscribe(socket: "111.222", appID: "app", channel: "private-appointments.\(appointment)")], daemon: UUID())
            _ = try await s.ring(appointment)
            try s.world.connection.query("UPDATE call_sessions SET requested_at = requested_at - interval '2 minutes' WHERE appointment_id = $1",
                                         appointment)
            #expect(await s.world.run(["jobs", "reap"]).status == 0)
            try delivered(s, appointment)
            let (json, text, code) = try await show(s, String(appointment))
            #expect(code == "not_answered", "\(text)")
            let requested = try #require((json["events"] as? [[String: Any]])?.first)
            #expect(requested["subscribers"] as? [Int] == [Int(s.patient)], "\(requested)")
            #expect(text.contains("reaped as timeout_no_answer; the patient never accepted"), "\(text)")
        }
    }

    @Test("AppointmentCallRequested went out before the patient's browser subscribed: the verdict says when it did")
    func notSubscribed() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            _ = try await s.ring(appointment)
            try delivered(s, appointment)
            let auth = try await s.server.request("POST", "/broadcasting/auth", token: try s.token(s.patient),
                                                  json: ["socket_id": "333.444", "channel_name": "private-appointments.\(appointment)"])
            #expect(auth.status == 200, "\(auth.text)")
            try HubStore(connection: s.world.connection).apply(
                [.subscribe(socket: "333.444", appID: "app", channel: "private-appointments.\(appointment)")], daemon: UUID())
            try s.world.connection.query("UPDATE appointment_channel_log SET at = at + interval '40 seconds' WHERE appointment_id = $1",
                                         appointment)
            let (_, text, code) = try await show(s, String(appointment))
            #expect(code == "callee_not_subscribed", "\(text)")
            #expect(text.contains("the patient's browser was not subscribed") && text.contains("later)"), "\(text)")
        }
    }

    @Test("an external Pusher outage: the refused event and its error are the verdict")
    func externalOutage() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            _ = try await s.ring(appointment)
            try s.world.connection.query("""
                UPDATE outbox SET relayed_at = created_at, attempts = 3, last_error = 'HTTP 503 from the external server'
                WHERE channel = $1
                """, "private-appointments.\(appointment)")
            let (json, text, code) = try await show(s, String(appointment))
            #expect(code == "external_refused", "\(text)")
            #expect(((json["verdict"] as? [String: Any])?["message"] as? String)?.contains("HTTP 503") == true)
        }
    }

    @Test("an unknown id exits 1 and says how to find one; a malformed id is a usage error")
    func unknown() async throws {
        try await RouterWorld.test { s in
            let missing = await s.world.run(["call", "show", "987654"])
            #expect(missing.status == 1 && missing.standardError.contains("there is no appointment 987654"), "\(missing.standardError)")
            let malformed = await s.world.run(["call", "show", "abc"])
            #expect(malformed.status == 64, "\(malformed.standardError)")
        }
    }

    @Test("call end: ends an open call as operator (audited, announced), refuses an ended one; call list shows both states")
    func operatorEnd() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            let open = await s.world.run(["call", "list", "--format", "json"])
            #expect(open.standardOutput.contains(callId), "\(open.standardOutput)")
            let ended = await s.world.run(["call", "end", callId, "--reason", "stuck after a crash", "--by", "alice"])
            #expect(ended.status == 0, "\(ended.standardError)")
            let trail = try s.trail(appointment)
            #expect(trail.sessions == ["ended operator"] && trail.audit == ["request", "operator_end"], "\(trail)")
            #expect(trail.events.last?.hasSuffix("AppointmentCallEnded") == true)
            let payload = try #require(try s.auditPayloads(appointment).last)
            #expect(payload["by"] as? String == "alice" && payload["note"] as? String == "stuck after a crash", "\(payload)")
            let again = await s.world.run(["call", "end", callId, "--reason", "again", "--by", "alice"])
            #expect(again.status == 1 && again.standardError.contains("already ended (operator"), "\(again.standardError)")
            #expect(try s.trail(appointment).audit == ["request", "operator_end"])
            let csv = await s.world.run(["call", "list", "--since", "1h", "--end-reason", "operator", "--format", "csv"])
            #expect(csv.standardOutput.hasPrefix("call_id,appointment_id,") && csv.standardOutput.contains(callId), "\(csv.standardOutput)")
            try delivered(s, appointment)
            #expect(try await show(s, callId).code == "operator_ended")
        }
    }

    @Test("call end waits for a reaper holding the appointment, then finds the call ended and changes nothing")
    func operatorEndRace() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            let reaper = try s.world.database.connect()
            try reaper.execute("BEGIN")
            try reaper.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", appointment)
            try reaper.query("""
                UPDATE call_sessions SET state = 'ended', end_reason = 'timeout_no_answer', ended_at = now() WHERE id = $1::uuid
                """, callId)
            let world = s.world
            let end = Task { await world.run(["call", "end", callId, "--reason", "stuck", "--by", "bob"]) }
            #expect(try eventually(within: 20) { try !s.world.connection.backendsWaitingOnLock("%FOR UPDATE%").isEmpty })
            try reaper.execute("COMMIT")
            let outcome = await end.value
            #expect(outcome.status == 1 && outcome.standardError.contains("already ended (timeout_no_answer"), "\(outcome.standardError)")
            #expect(try s.trail(appointment).audit == ["request"])
            #expect(try s.trail(appointment).sessions == ["ended timeout_no_answer"])
        }
    }

    @Test("diagnose call: an open call whose callee is not connected is a live problem (exit 1)")
    func diagnose() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            _ = try await s.ring(appointment)
            let run = await s.world.run(["diagnose", "call", String(appointment)])
            #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
            #expect(run.standardOutput.contains("live checks:") && run.standardOutput.contains("ask them to reload"), "\(run.standardOutput)")
            let json = await s.world.run(["diagnose", "call", String(appointment), "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            #expect((object["live"] as? [[String: Any]])?.count == 2, "\(object)")
        }
    }

    @Test("the hub logs subscriptions and departures of appointment channels only, in its batched writes")
    func hubChannelLog() async throws {
        try await RouterWorld.test { s in
            let store = HubStore(connection: s.world.connection)
            let daemon = UUID()
            try store.apply([.subscribe(socket: "1.1", appID: "app", channel: "private-appointments.77"),
                             .subscribe(socket: "1.1", appID: "app", channel: "private-users.5"),
                             .subscribe(socket: "2.2", appID: "app", channel: "private-appointments.77")], daemon: daemon)
            try store.apply([.unsubscribe(socket: "1.1", appID: "app", channel: "private-appointments.77"), .disconnect(socket: "2.2")],
                            daemon: daemon)
            let rows = try s.world.connection.query(
                "SELECT appointment_id, socket_id, kind FROM appointment_channel_log ORDER BY id").rows.map {
                "\(try $0.decode(Int64.self, "appointment_id")) \(try $0.decode(String.self, "socket_id")) \(try $0.decode(String.self, "kind"))"
            }
            #expect(Set(rows.prefix(2)) == ["77 1.1 subscribed", "77 2.2 subscribed"], "\(rows)")
            #expect(Set(rows.dropFirst(2)) == ["77 1.1 left", "77 2.2 left"], "\(rows)")
        }
    }
}
