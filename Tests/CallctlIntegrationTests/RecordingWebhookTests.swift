import Foundation
import PusherProtocol
import Testing

/// Issue 19, the recording webhook and downloads: `POST /webhooks/recording` (signature,
/// replay window, idempotency, the consent check) and `GET /appointments/{id}/recording` (who
/// may download, and that nobody else learns whether a recording exists), on a real daemon and
/// PostgreSQL; and a call that ends while recorded stops its recording.
@Suite("recording webhook and downloads", .serialized)
struct RecordingWebhookTests {
    static let secret = "webhook-secret-0123456789abcdef"
    static let linkSecret = "link-secret-0123456789abcdef"

    /// A daemon with the webhook on and the local storage signed for a link base.
    static func world(_ label: String = #function, webhook: Bool = true) throws -> ServeWorld {
        try ServeWorld(environment: [
            "CALLCTL_RECORDING_WEBHOOK_SECRET": webhook ? secret : nil,
            "CALLCTL_RECORDING_STORAGE": "file:///var/lib/callctl/recordings",
            "CALLCTL_RECORDING_LINK_BASE": "https://calls.example.test/recordings",
            "CALLCTL_RECORDING_LINK_SECRET": linkSecret,
        ], label: label)
    }

    /// A connected call both participants consented to record, recorded and then stopped.
    static func recordedCall(_ s: ServeWorld) throws -> (appointment: Int64, callId: String) {
        let (appointment, callId) = try RecordingTests.connected(s)
        for user in [s.doctor, s.patient] {
            #expect(try RecordingTests.recording(s, "consent", appointment, as: user, ["callId": callId, "granted": true]).status == 200)
        }
        #expect(try RecordingTests.recording(s, "start", appointment, as: s.doctor, ["callId": callId]).status == 200)
        #expect(try RecordingTests.recording(s, "stop", appointment, as: s.doctor, ["callId": callId]).status == 200)
        return (appointment, callId)
    }

    static func notice(_ appointment: Int64, _ callId: String, id: String = "rec-1", location: String = "2026/12/rec-1.webm",
                       size: Int = 1_234_567) -> Data {
        try! JSONSerialization.data(withJSONObject: [
            "recordingId": id, "appointmentId": appointment, "callId": callId, "location": location, "sizeBytes": size,
            "durationSeconds": 1_800,
        ], options: [.sortedKeys])
    }

    /// Posts `body` signed with `secret` at `timestamp` (default now).
    static func deliver(_ s: ServeWorld, _ body: Data, secret: String = secret, timestamp: Int64? = nil,
                        signature: String? = nil) throws -> ServeResponse {
        let at = timestamp ?? Int64(Date().timeIntervalSince1970)
        let signed = signature ?? WebhookSignature.sign(body: body, timestamp: at, secret: secret)
        return try s.server.request("POST", "/webhooks/recording", body: body, headers: [
            ("Content-Type", "application/json"), (WebhookSignature.timestampHeader, String(at)), (WebhookSignature.signatureHeader, signed),
        ])
    }

    @Test("a signed announcement is stored once, with its audit row, event and video_recording_url; retries are duplicates")
    func stored() throws {
        let s = try Self.world()
        let (appointment, callId) = try Self.recordedCall(s)
        let body = Self.notice(appointment, callId)
        let first = try Self.deliver(s, body)
        #expect(first.status == 200 && first.json["status"] as? String == "stored", "\(first.text)")
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = WebhookSignature.sign(body: body, timestamp: timestamp, secret: Self.secret)
        for _ in 0..<2 {  // a retry re-signed, and the same request replayed within the window
            let again = try Self.deliver(s, body, timestamp: timestamp, signature: signature)
            #expect(again.status == 200 && again.json["status"] as? String == "duplicate", "\(again.text)")
        }
        try Self.deliver(s, Self.notice(appointment, callId, size: 1)).expectError(409, "recording_conflict")
        #expect(try s.world.count("SELECT count(*) FROM recordings") == 1)
        #expect(try s.world.value("SELECT storage_key FROM recordings WHERE id = 'rec-1'") == "2026/12/rec-1.webm")
        #expect(try s.world.value("SELECT video_recording_url FROM appointments WHERE id = $1", appointment)
                == "/appointments/\(appointment)/recording")
        let events = try s.world.outbox(appointment).filter { $0.event == ServeWorld.event("RecordingAvailable") }
        #expect(events.count == 1)
        #expect(texts(events.first?.payload)?["recordingId"] == "rec-1" && events.first?.payload["location"] == nil)
        #expect(try s.world.count("SELECT count(*) FROM appointment_call_events WHERE type = 'recording_available'") == 1)
    }

    @Test("refusals: bad and missing signatures, stale and future timestamps, webhook off; nothing is stored")
    func signatures() throws {
        let s = try Self.world()
        let (appointment, callId) = try Self.recordedCall(s)
        let body = Self.notice(appointment, callId)
        let now = Int64(Date().timeIntervalSince1970)
        let wrong = try Self.deliver(s, body, secret: "another-secret-0123456789")
        wrong.expectError(401, "bad_signature")
        #expect(!wrong.text.contains(Self.secret))
        try Self.deliver(s, body, signature: "v1=00").expectError(401, "bad_signature")
        try s.server.request("POST", "/webhooks/recording", body: body).expectError(401, "bad_signature")
        try Self.deliver(s, body, timestamp: now - 301).expectError(401, "stale_timestamp")
        try Self.deliver(s, body, timestamp: now + 400).expectError(401, "stale_timestamp")
        var tampered = body
        tampered[tampered.startIndex + 5] ^= 1
        try Self.deliver(s, tampered, signature: WebhookSignature.sign(body: body, timestamp: now, secret: Self.secret))
            .expectError(401, "bad_signature")
        #expect(try s.world.count("SELECT count(*) FROM recordings") == 0)
        let off = try Self.world(webhook: false)
        try Self.deliver(off, body).expectError(503, "webhook_not_configured")
    }

    @Test("a file of a call never recorded with consent is refused 403 consent_missing and audited as a violation; bad fields are 422")
    func violation() throws {
        let s = try Self.world()
        let (appointment, callId) = try RecordingTests.connected(s)
        let refused = try Self.deliver(s, Self.notice(appointment, callId))
        refused.expectError(403, "consent_missing")
        #expect(try s.world.count("SELECT count(*) FROM recordings") == 0)
        #expect(try s.world.count("SELECT count(*) FROM appointment_call_events WHERE type = 'recording_violation' AND call_id = $1::uuid",
                                  callId) == 1)
        try Self.deliver(s, Self.notice(appointment, UUID().uuidString)).expectError(404, "not_found")
        try Self.deliver(s, Self.notice(appointment + 1000, callId)).expectError(404, "not_found")
        try Self.deliver(s, Self.notice(appointment, callId, location: "../etc/passwd")).expectError(422, "validation")
        try Self.deliver(s, Self.notice(appointment, callId, id: "bad id")).expectError(422, "validation")
        try Self.deliver(s, Self.notice(appointment, callId, size: -1)).expectError(422, "validation")
        try Self.deliver(s, Data("[]".utf8)).expectError(400, "validation")
    }

    @Test("downloads: a participant gets a 302 to a signed URL (or JSON), audited; another user, another tenant and a participant without a recording get not_found")
    func downloads() throws {
        let s = try Self.world()
        let (appointment, callId) = try Self.recordedCall(s)
        let bare = try s.appointment()
        #expect(try Self.deliver(s, Self.notice(appointment, callId)).status == 200)
        let path = "/appointments/\(appointment)/recording"
        let redirect = try s.server.request("GET", path, token: try s.token(s.patient))
        #expect(redirect.status == 302, "\(redirect.text)")
        let location = try #require(redirect.headers["location"])
        #expect(location.hasPrefix("https://calls.example.test/recordings/2026/12/rec-1.webm?md5="), "\(location)")
        #expect(redirect.headers["cache-control"] == "no-store")
        let json = try s.server.request("GET", path, token: try s.token(s.doctor), headers: [("Accept", "application/json")])
        #expect(json.status == 200 && json.json["recordingId"] as? String == "rec-1" && json.json["url"] is String, "\(json.text)")

        let stranger = try s.person("doctor").userId
        let other = try s.world.connection.query("INSERT INTO tenants (slug, name) VALUES ('elsewhere', 'Elsewhere') RETURNING id")
            .first!.decode(Int64.self, "id")
        let outsider = try s.world.connection.query("""
            INSERT INTO users (tenant_id, name, email, role) VALUES ($1, 'outsider', 'outsider@example.test', 'admin') RETURNING id
            """, other).first!.decode(Int64.self, "id")
        for user in [stranger, outsider] {
            let withRecording = try s.server.request("GET", path, token: try s.token(user))
            let without = try s.server.request("GET", "/appointments/\(bare)/recording", token: try s.token(user))
            withRecording.expectError(404, "not_found")
            without.expectError(404, "not_found")
            #expect(withRecording.text.replacingOccurrences(of: "\(appointment)", with: "N")
                    == without.text.replacingOccurrences(of: "\(bare)", with: "N"), "the answers tell the two apart")
        }
        try s.server.request("GET", "/appointments/\(bare)/recording", token: try s.token(s.doctor)).expectError(404, "not_found")
        try s.server.request("GET", path + "?recordingId=other", token: try s.token(s.doctor)).expectError(404, "not_found")
        try s.server.request("GET", path).expectError(401, "unauthenticated")
        let audited = try s.world.connection.query("""
            SELECT user_id, payload->>'note' AS note FROM appointment_call_events WHERE type = 'recording_downloaded' ORDER BY id
            """).rows.map { "\(try $0.decode(Int64.self, "user_id")) \(try $0.decode(String.self, "note"))" }
        #expect(audited == ["\(s.patient) recording rec-1", "\(s.doctor) recording rec-1"], "\(audited)")
    }

    @Test("a call that ends while recorded stops the recording in the same transaction: hang-up, reaper and operator")
    func endStopsRecording() async throws {
        let s = try Self.world()
        for ending in ["hangup", "reap", "operator"] {
            let (appointment, callId) = try RecordingTests.connected(s)
            for user in [s.doctor, s.patient] {
                #expect(try RecordingTests.recording(s, "consent", appointment, as: user, ["callId": callId, "granted": true]).status == 200)
            }
            #expect(try RecordingTests.recording(s, "start", appointment, as: s.doctor, ["callId": callId]).status == 200)
            if ending == "hangup" {
                #expect(try s.call("end", appointment, as: s.patient, callId: callId).status == 200)
            } else if ending == "operator" {
                let outcome = await s.world.run(["call", "end", callId, "--reason", "stuck", "--by", "ops"])
                #expect(outcome.status == 0, "\(outcome.standardError)")
            } else {
                let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
                let outcome = await s.world.run(["jobs", "reap", "--now", later])
                #expect(outcome.status == 0, "\(outcome.standardError)")
            }
            #expect(try s.world.count("SELECT count(*) FROM call_sessions WHERE id = $1::uuid AND recording_since IS NULL", callId) == 1)
            let stops = try s.world.outbox(appointment).filter { $0.event == ServeWorld.event("RecordingStopped") }
            #expect(stops.count == 1 && stops.first?.payload["reason"] as? String == "call_ended" && stops.first?.payload["by"] is NSNull,
                    "\(ending): \(stops.map(\.payload))")
            let audit = try s.world.audit(appointment).map(\.type)
            let end = ["hangup": "leave", "reap": "reaped", "operator": "operator_end"][ending]!
            #expect(audit.suffix(2) == [end, "recording_stopped"], "\(audit)")
        }
    }
}
