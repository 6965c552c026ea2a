import Foundation
import Testing

/// `callctl serve`'s policy refusals on a real PostgreSQL: each with its status and reason,
/// and nothing written, except `busy`, which records its audit row and `AppointmentBusy`.
@Suite("callctl serve: policy refusals", .serialized)
struct ServePolicyTests {
    /// Records an issue unless `response` is the refusal and the appointment has no session,
    /// audit row or outbox event.
    private func expectRefused(_ s: some ClinicWorld, _ response: ServeResponse, _ status: Int, _ reason: String, _ appointment: Int64,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        response.expectError(status, reason, sourceLocation: sourceLocation)
        let trail = try s.trail(appointment)
        #expect(trail.sessions.isEmpty && trail.audit.isEmpty && trail.events.isEmpty, "\(trail)", sourceLocation: sourceLocation)
    }

    @Test("a patient of another appointment may neither call nor read it (404 not_found, as for a missing one), but may call their own")
    func notParticipant() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let stranger = try s.person("patient")
            let theirs = try s.appointment(patient: stranger.id)
            let missing = try await s.call("request", 987_654_321, as: stranger.userId)
            let refused = try await s.call("request", appointment, as: stranger.userId)
            try expectRefused(s, refused, 404, "not_found", appointment)
            #expect(refused.text == missing.text.replacingOccurrences(of: "987654321", with: String(appointment)))
            try await s.get(appointment, as: stranger.userId).expectError(404, "not_found")
            #expect(try await s.call("request", theirs, as: stranger.userId).json["calleeUserId"] as? Int == Int(s.doctor))
        }
    }

    @Test("the access window: opens 10 min before, closes 15 min after the scheduled end; window.lead from the settings table")
    func accessWindow() async throws {
        try await RouterWorld.test { s in
            let cases: [(minutes: Int, reason: String?)] = [(11, "too_early"), (-46, "too_late"), (9, nil), (-44, nil)]
            for (minutes, reason) in cases {
                let appointment = try s.appointment(in: minutes)
                let response = try await s.call("request", appointment, as: s.doctor)
                if let reason {
                    try expectRefused(s, response, 403, reason, appointment)
                } else {
                    #expect(response.status == 200, "scheduled in \(minutes) min: \(response.text)")
                    let callId = try #require(response.json["callId"] as? String)
                    #expect(try await s.call("cancel", appointment, as: s.doctor, callId: callId).status == 200)
                }
            }
            let later = try s.appointment(in: 25)
            try expectRefused(s, try await s.call("request", later, as: s.doctor), 403, "too_early", later)
            let set = await s.world.run(["config", "set", "window.lead", "30m"])
            #expect(set.status == 0, "\(set.output)")
            #expect(try await s.call("request", later, as: s.doctor).status == 200)
        }
    }

    @Test("invalid_status: no calls on a cancelled, completed, no_show or rescheduled appointment")
    func invalidStatus() async throws {
        try await RouterWorld.test { s in
            for status in ["cancelled", "completed", "no_show", "rescheduled"] {
                let appointment = try s.appointment(status: status)
                try expectRefused(s, try await s.call("request", appointment, as: s.doctor), 403, "invalid_status", appointment)
                try expectRefused(s, try await s.call("request", appointment, as: s.patient), 403, "invalid_status", appointment)
            }
        }
    }

    @Test("doctor_inactive: an inactive or suspended doctor's appointments refuse calls until the doctor is active")
    func doctorInactive() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            for status in ["inactive", "suspended"] {
                try s.world.connection.query("UPDATE doctors SET status = $1 WHERE user_id = $2", status, s.doctor)
                try expectRefused(s, try await s.call("request", appointment, as: s.patient), 403, "doctor_inactive", appointment)
            }
            try s.world.connection.query("UPDATE doctors SET status = 'active' WHERE user_id = $1", s.doctor)
            #expect(try await s.call("request", appointment, as: s.patient).status == 200)
        }
    }

    @Test("license_expired: a license valid through yesterday (UTC) refuses calls, one valid through tomorrow does not")
    func licenseExpired() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let license = "UPDATE doctors SET license_valid_until = (now() AT TIME ZONE 'UTC')::date + $1::int WHERE user_id = $2"
            try s.world.connection.query(license, Int32(-1), s.doctor)
            try expectRefused(s, try await s.call("request", appointment, as: s.doctor), 403, "license_expired", appointment)
            try s.world.connection.query(license, Int32(1), s.doctor)
            #expect(try await s.call("request", appointment, as: s.doctor).status == 200)
        }
    }

    @Test("not_found: an appointment that does not exist")
    func notFound() async throws {
        try await RouterWorld.test { s in
            try await s.call("request", 987_654_321, as: s.doctor).expectError(404, "not_found")
            #expect(try s.world.count("SELECT (SELECT count(*) FROM call_sessions) + (SELECT count(*) FROM outbox)") == 0)
        }
    }

    @Test("busy: a second request on a ringing appointment is 409, with a busy audit row and AppointmentBusy, and no session")
    func busySameAppointment() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let callId = try s.ring(appointment)
        try s.call("request", appointment, as: s.patient, peerId: "patient-peer-1").expectError(409, "busy")
        let trail = try s.trail(appointment)
        #expect(trail.sessions == ["ringing"])
        #expect(trail.audit == ["request", "busy"])
        #expect(trail.events == [ServeWorld.event("CallRequested"), ServeWorld.event("Busy")])
        let busy = try #require(try s.world.audit(appointment).last)
        #expect(busy.callId == callId)
        #expect(try s.auditPayloads(appointment).last?.compactMapValues { $0 as? String }.filter { $0.key != "requestId" }
            == ["peerId": "patient-peer-1", "userAgent": ServeProcess.userAgent, "ip": "127.0.0.1"])
        #expect((try s.auditPayloads(appointment).last?["requestId"] as? String)?.isEmpty == false)
        #expect(try s.world.value("SELECT user_id::text FROM appointment_call_events WHERE type = 'busy'") == String(s.patient))
        let event = try #require(try s.world.outbox(appointment).last)
        #expect(event.payload["appointmentId"] as? Int == Int(appointment))
        #expect(texts(event.payload["by"]) == ["id": "\(s.patient)", "role": "patient"])
    }

    @Test("busy: the callee is in an open call on another appointment")
    func busyCalleeElsewhere() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let otherDoctor = try s.person("doctor")
            let other = try s.appointment(doctor: otherDoctor.id)
            #expect(try await s.call("request", other, as: otherDoctor.userId).status == 200)
            try await s.call("request", appointment, as: s.doctor).expectError(409, "busy")
            let trail = try s.trail(appointment)
            #expect(trail.sessions.isEmpty)
            #expect(trail.audit == ["busy"])
            #expect(trail.events == [ServeWorld.event("Busy")])
            #expect(try s.world.audit(appointment).first?.callId == nil)
        }
    }

    @Test("invalid_transition: accept with an unknown or a stale callId, or twice, is 409 and writes nothing")
    func invalidTransition() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let stale = try await s.ring(appointment)
            let before = try s.trail(appointment)
            try await s.call("accept", appointment, as: s.patient, callId: UUID().uuidString).expectError(409, "invalid_transition")
            #expect(try s.trail(appointment) == before)
            #expect(try s.world.value("SELECT (accepted_at IS NULL)::text FROM call_sessions WHERE id = $1::uuid", stale) == "true")
            #expect(try await s.call("cancel", appointment, as: s.doctor, callId: stale).status == 200)
            let callId = try await s.ring(appointment)
            let ringing = try s.trail(appointment)
            try await s.call("accept", appointment, as: s.patient, callId: stale).expectError(409, "invalid_transition")
            #expect(try s.trail(appointment) == ringing)
            #expect(try await s.call("accept", appointment, as: s.patient, callId: callId).status == 200)
            let accepted = try s.trail(appointment)
            try await s.call("accept", appointment, as: s.patient, callId: callId).expectError(409, "invalid_transition")
            try await s.call("heartbeat", appointment, as: s.patient, callId: callId).expectError(409, "invalid_transition")
            #expect(try s.trail(appointment) == accepted)
            #expect(accepted.sessions == ["ended cancelled", "accepted"])
        }
    }
}
