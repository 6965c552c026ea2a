import Foundation
import Testing

/// Issue 19, consent and recording: the routes `POST /appointments/{id}/call/recording/consent|start|stop`
/// on a real daemon and PostgreSQL, their refusals, events and audit rows, and the race with a
/// job ending the call.
@Suite("recording consent and start/stop", .serialized)
struct RecordingTests {
    /// A connected call (the doctor rang, the patient accepted, the doctor started).
    static func connected(_ s: ServeWorld) throws -> (appointment: Int64, callId: String) {
        let appointment = try s.appointment()
        let callId = try s.ring(appointment)
        #expect(try s.call("accept", appointment, as: s.patient, callId: callId).status == 200)
        #expect(try s.call("started", appointment, as: s.doctor, callId: callId).status == 200)
        return (appointment, callId)
    }

    static func recording(_ s: ServeWorld, _ command: String, _ appointment: Int64, as user: Int64, _ body: [String: Any]) throws -> ServeResponse {
        try s.server.request("POST", "/appointments/\(appointment)/call/recording/\(command)", token: try s.token(user), json: body)
    }

    @Test("both consent, a participant starts and stops; the events are the badge; every step is audited")
    func lifecycle() throws {
        let s = try ServeWorld()
        let (appointment, callId) = try Self.connected(s)
        let refused = try Self.recording(s, "start", appointment, as: s.doctor, ["callId": callId])
        refused.expectError(403, "consent_missing")
        #expect(refused.text.contains("the doctor (user \(s.doctor)) and the patient (user \(s.patient))"), "\(refused.text)")
        let doctor = try Self.recording(s, "consent", appointment, as: s.doctor, ["callId": callId, "granted": true])
        #expect(doctor.status == 200 && (doctor.json["consents"] as? [String: Any])?["doctor"] as? Bool == true, "\(doctor.text)")
        #expect((doctor.json["consents"] as? [String: Any])?["patient"] is NSNull, "\(doctor.text)")
        let halfway = try Self.recording(s, "start", appointment, as: s.doctor, ["callId": callId])
        halfway.expectError(403, "consent_missing")
        #expect(halfway.text.contains("the patient (user \(s.patient))") && !halfway.text.contains("the doctor"), "\(halfway.text)")
        #expect(try Self.recording(s, "consent", appointment, as: s.patient, ["callId": callId, "granted": true]).status == 200)
        let started = try Self.recording(s, "start", appointment, as: s.patient, ["callId": callId])
        #expect(started.status == 200 && started.json["recording"] as? Bool == true, "\(started.text)")
        try Self.recording(s, "start", appointment, as: s.doctor, ["callId": callId]).expectError(409, "invalid_transition")
        let stopped = try Self.recording(s, "stop", appointment, as: s.doctor, ["callId": callId])
        #expect(stopped.status == 200 && stopped.json["recording"] as? Bool == false, "\(stopped.text)")
        try Self.recording(s, "stop", appointment, as: s.doctor, ["callId": callId]).expectError(409, "invalid_transition")

        let events = try s.world.connection.query("""
            SELECT event, payload->>'reason' AS reason FROM outbox WHERE event LIKE '%Recording%' ORDER BY id
            """).rows.map { "\(try $0.decode(String.self, "event")) \(try $0.decode(String?.self, "reason") ?? "-")" }
        #expect(events == [ServeWorld.event("RecordingStarted") + " -", ServeWorld.event("RecordingStopped") + " stopped"], "\(events)")
        let audit = try s.world.connection.query("""
            SELECT type, user_id, coalesce(payload->>'note', '-') AS note FROM appointment_call_events
            WHERE appointment_id = $1 AND type LIKE 'recording%' ORDER BY id
            """, appointment).rows.map { "\(try $0.decode(String.self, "type")) \(try $0.decode(Int64.self, "user_id")) \(try $0.decode(String.self, "note"))" }
        #expect(audit == ["recording_consent \(s.doctor) granted", "recording_consent \(s.patient) granted",
                          "recording_started \(s.patient) -", "recording_stopped \(s.doctor) stopped"], "\(audit)")
    }

    @Test("withdrawing consent while recording stops it (reason consent_withdrawn); start needs in_call; bad bodies are 422")
    func withdrawal() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let ringing = try s.ring(appointment)
        for user in [s.doctor, s.patient] {
            #expect(try Self.recording(s, "consent", appointment, as: user, ["callId": ringing, "granted": true]).status == 200)
        }
        try Self.recording(s, "start", appointment, as: s.doctor, ["callId": ringing]).expectError(409, "invalid_transition")
        #expect(try s.call("accept", appointment, as: s.patient, callId: ringing).status == 200)
        #expect(try s.call("started", appointment, as: s.patient, callId: ringing).status == 200)
        #expect(try Self.recording(s, "start", appointment, as: s.doctor, ["callId": ringing]).status == 200)
        let withdrawn = try Self.recording(s, "consent", appointment, as: s.patient, ["callId": ringing, "granted": false])
        #expect(withdrawn.status == 200 && withdrawn.json["recording"] as? Bool == false, "\(withdrawn.text)")
        let reason = try s.world.connection.query("""
            SELECT payload->>'reason' AS reason FROM outbox WHERE event = $1
            """, ServeWorld.event("RecordingStopped")).first?.decode(String.self, "reason")
        #expect(reason == "consent_withdrawn")
        try Self.recording(s, "start", appointment, as: s.doctor, ["callId": ringing]).expectError(403, "consent_missing")

        try Self.recording(s, "consent", appointment, as: s.doctor, ["callId": ringing]).expectError(422, "validation")
        try Self.recording(s, "consent", appointment, as: s.doctor, ["callId": ringing, "granted": "yes"]).expectError(422, "validation")
        try Self.recording(s, "start", appointment, as: s.doctor, ["callId": "nope"]).expectError(422, "validation")
        try Self.recording(s, "pause", appointment, as: s.doctor, ["callId": ringing]).expectError(404, "not_found")
        try Self.recording(s, "start", appointment, as: try s.person("doctor").userId, ["callId": ringing]).expectError(404, "not_found")
        try Self.recording(s, "start", appointment, as: s.doctor, ["callId": UUID().uuidString]).expectError(409, "invalid_transition")
    }

    @Test("race: start while a job holds the call's locks and ends it: 409 invalid_transition, nothing recorded")
    func raceWithJob() throws {
        let s = try ServeWorld()
        let (appointment, callId) = try Self.connected(s)
        for user in [s.doctor, s.patient] {
            #expect(try Self.recording(s, "consent", appointment, as: user, ["callId": callId, "granted": true]).status == 200)
        }
        let call = try #require(UUID(uuidString: callId))
        let job = try s.world.database.connect()
        try job.execute("BEGIN")
        try job.query("SELECT 1 FROM call_sessions s JOIN appointments a ON a.id = s.appointment_id WHERE s.id = $1 FOR UPDATE OF s, a", call)
        try job.query("UPDATE call_sessions SET state = 'ended', end_reason = 'heartbeat_lost', ended_at = now() WHERE id = $1", call)
        let (server, token, path) = (s.server, try s.token(s.doctor), "/appointments/\(appointment)/call/recording/start")
        let answer = BackgroundValue { try? server.request("POST", path, token: token, json: ["callId": callId]) }
        #expect(try eventually { try s.world.backendWaitingOnLock("%FROM appointments a%FOR UPDATE OF a%") != nil },
                "the request never waited on the job's lock")
        try job.execute("COMMIT")
        let response = try #require(answer.value() ?? nil, "no answer")
        response.expectError(409, "invalid_transition")
        #expect(try s.world.count("SELECT count(*) FROM call_sessions WHERE recording_since IS NOT NULL") == 0)
        #expect(try s.world.count("SELECT count(*) FROM appointment_call_events WHERE type = 'recording_started'") == 0)
    }
}
