import Foundation
import Testing

/// `callctl serve`'s call lifecycle on a real PostgreSQL: what each transition answers and
/// writes (session, appointment, audit row, outbox event), page refreshes, races and ICE servers.
@Suite("callctl serve: call lifecycle", .serialized)
struct ServeLifecycleTests {
    private static let ua = ServeProcess.userAgent

    /// The answer's summary and callId, after checking it is a 200.
    private func step(_ response: ServeResponse, _ summary: String, callId: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 200, "\(response.text)", sourceLocation: sourceLocation)
        #expect(callSummary(response.json) == summary, sourceLocation: sourceLocation)
        #expect(response.json["callId"] as? String == callId, sourceLocation: sourceLocation)
    }

    @Test("request → accept → started ×2 (+2 repeated) → heartbeat → end: answers, session, appointment, audit trail and outbox")
    func happyPath() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let requested = try s.call("request", appointment, as: s.doctor, peerId: "doctor-peer-1")
        let callId = try #require(requested.json["callId"] as? String, "\(requested.text)")
        #expect(UUID(uuidString: callId) != nil && callId == callId.lowercased())
        step(requested, "ringing scheduled - doctor-peer-1 - requestedAt", callId: callId)
        #expect(requested.json["appointmentId"] as? Int == Int(appointment))
        #expect(requested.json["callerUserId"] as? Int == Int(s.doctor))
        #expect(requested.json["calleeUserId"] as? Int == Int(s.patient))
        #expect(try s.world.value("SELECT id::text FROM call_sessions WHERE appointment_id = $1", appointment) == callId)

        step(try s.call("accept", appointment, as: s.patient, callId: callId, peerId: "patient-peer-1"),
             "accepted scheduled - doctor-peer-1 patient-peer-1 requestedAt acceptedAt", callId: callId)
        #expect(try s.world.status(appointment) == "scheduled")
        step(try s.call("started", appointment, as: s.doctor, callId: callId, peerId: "doctor-peer-1"),
             "in_call in_progress - doctor-peer-1 patient-peer-1 requestedAt acceptedAt connectedAt", callId: callId)
        #expect(try s.world.value("SELECT status || ' ' || (started_at IS NOT NULL) || ' ' || (ended_at IS NULL) FROM appointments WHERE id = $1",
                                  appointment) == "in_progress true true")
        step(try s.call("started", appointment, as: s.patient, callId: callId, peerId: "patient-peer-1"),
             "in_call in_progress - doctor-peer-1 patient-peer-1 requestedAt acceptedAt connectedAt", callId: callId)
        // A participant's repeated started (a retry, a page reload) keeps the call alive and records nothing more.
        for _ in 1...2 {
            step(try s.call("started", appointment, as: s.doctor, callId: callId, peerId: "doctor-peer-1"),
                 "in_call in_progress - doctor-peer-1 patient-peer-1 requestedAt acceptedAt connectedAt", callId: callId)
        }
        let beat = "SELECT last_heartbeat_at::text FROM call_sessions WHERE id = $1::uuid"
        let beforeHeartbeat = try s.world.value(beat, callId)
        step(try s.call("heartbeat", appointment, as: s.doctor, callId: callId),
             "in_call in_progress - doctor-peer-1 patient-peer-1 requestedAt acceptedAt connectedAt", callId: callId)
        #expect(try s.world.value(beat, callId) != beforeHeartbeat)
        step(try s.call("end", appointment, as: s.patient, callId: callId, peerId: "patient-peer-1"),
             "ended completed hangup doctor-peer-1 patient-peer-1 requestedAt acceptedAt connectedAt endedAt", callId: callId)

        #expect(try s.world.value("""
            SELECT state || ' ' || end_reason || ' ' || caller_user_id || ' ' || callee_user_id || ' '
                   || (requested_at <= accepted_at AND accepted_at <= connected_at AND connected_at <= last_heartbeat_at
                       AND last_heartbeat_at <= ended_at)
            FROM call_sessions WHERE id = $1::uuid
            """, callId) == "ended hangup \(s.doctor) \(s.patient) true")
        #expect(try s.world.value("""
            SELECT a.status || ' ' || (a.started_at = s.connected_at) || ' ' || (a.ended_at = s.ended_at)
            FROM appointments a JOIN call_sessions s ON s.appointment_id = a.id WHERE a.id = $1
            """, appointment) == "completed true true")
        let metadata = try #require(try s.world.value("SELECT metadata::text FROM appointments WHERE id = $1", appointment))
        #expect(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: String]
            == ["callId": callId, "doctorPeerId": "doctor-peer-1", "patientPeerId": "patient-peer-1"])

        let audit = try s.world.audit(appointment)
        #expect(audit.map(\.type) == ["request", "accept", "join", "join", "leave"])
        #expect(audit.allSatisfy { $0.callId == callId })
        #expect(try s.world.connection.query("SELECT user_id FROM appointment_call_events WHERE appointment_id = $1 ORDER BY id",
                                             appointment).rows.map { try $0.decode(Int64.self, "user_id") }
            == [s.doctor, s.patient, s.doctor, s.patient, s.patient])
        let client = { (peer: String) in ["peerId": peer, "userAgent": Self.ua, "ip": "127.0.0.1"] }
        // Each row also keeps its request's id (CallLogFieldsTests checks its value).
        #expect(try s.auditPayloads(appointment).allSatisfy { ($0["requestId"] as? String)?.isEmpty == false })
        #expect(try s.auditPayloads(appointment).map { $0.compactMapValues { $0 as? String }.filter { $0.key != "requestId" } } == [
            client("doctor-peer-1").merging(["to": "ringing"]) { $1 },
            client("patient-peer-1").merging(["from": "ringing", "to": "accepted"]) { $1 },
            client("doctor-peer-1").merging(["from": "accepted", "to": "in_call", "appointment": "in_progress"]) { $1 },
            client("patient-peer-1").merging(["from": "in_call", "to": "in_call"]) { $1 },
            client("patient-peer-1").merging(["from": "in_call", "to": "ended", "reason": "hangup", "appointment": "completed"]) { $1 },
        ])

        let events = try s.world.outbox(appointment)
        #expect(events.map(\.event) == ["CallRequested", "CallAccepted", "CallStarted", "CallStarted", "CallEnded"].map(ServeWorld.event))
        #expect(events.allSatisfy { $0.payload["callId"] as? String == callId && $0.payload["appointmentId"] as? Int == Int(appointment) })
        #expect(texts(events[0].payload["from"]) == ["id": "\(s.doctor)", "name": "doctor", "role": "doctor"])
        #expect(events[0].payload["peerId"] as? String == "doctor-peer-1")
        #expect(texts(events[1].payload["by"]) == ["id": "\(s.patient)", "role": "patient"])
        #expect(events[1].payload["peerId"] as? String == "patient-peer-1")
        #expect(texts(events[2].payload["who"]) == ["id": "\(s.doctor)"])
        #expect(texts(events[3].payload["who"]) == ["id": "\(s.patient)"])
        #expect(events[4].payload["reason"] as? String == "hangup")
        let duration = try s.world.value("SELECT floor(extract(epoch FROM ended_at - connected_at))::int::text FROM call_sessions WHERE id = $1::uuid", callId)
        #expect((events[4].payload["duration"] as? Int).map(String.init) == duration)
    }

    @Test("cancel while ringing: only the caller may; the call ends cancelled and the appointment stays scheduled")
    func cancelWhileRinging() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment, peerId: "doctor-peer-1")
            try await s.call("cancel", appointment, as: s.patient, callId: callId).expectError(403, "not_participant")
            step(try await s.call("cancel", appointment, as: s.doctor, callId: callId),
                 "ended scheduled cancelled doctor-peer-1 - requestedAt endedAt", callId: callId)
            let trail = try s.trail(appointment)
            #expect(trail.sessions == ["ended cancelled"])
            #expect(trail.audit == ["request", "cancel"])
            #expect(trail.events == [ServeWorld.event("CallRequested"), ServeWorld.event("CallCancelled")])
            #expect(try texts(s.world.outbox(appointment).last?.payload["by"]) == ["id": "\(s.doctor)", "role": "doctor"])
            #expect(try s.world.value("SELECT status || ' ' || (started_at IS NULL) FROM appointments WHERE id = $1", appointment)
                == "scheduled true")
        }
    }

    @Test("decline: only the callee may; the call ends declined")
    func decline() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            try await s.call("decline", appointment, as: s.doctor, callId: callId).expectError(403, "not_participant")
            step(try await s.call("decline", appointment, as: s.patient, callId: callId), "ended scheduled declined - - requestedAt endedAt", callId: callId)
            let trail = try s.trail(appointment)
            #expect(trail.sessions == ["ended declined"])
            #expect(trail.audit == ["request", "decline"])
            #expect(trail.events == [ServeWorld.event("CallRequested"), ServeWorld.event("CallDeclined")])
            #expect(try texts(s.world.outbox(appointment).last?.payload["by"]) == ["id": "\(s.patient)", "role": "patient"])
        }
    }

    @Test("end while connecting (accepted): ended hangup, duration 0, the appointment stays scheduled; a new call may follow")
    func endWhileConnecting() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            #expect(try await s.call("accept", appointment, as: s.patient, callId: callId).status == 200)
            step(try await s.call("end", appointment, as: s.doctor, callId: callId), "ended scheduled hangup - - requestedAt acceptedAt endedAt",
                 callId: callId)
            #expect(try s.world.value("SELECT status || ' ' || (started_at IS NULL) || ' ' || (ended_at IS NULL) FROM appointments WHERE id = $1",
                                      appointment) == "scheduled true true")
            let trail = try s.trail(appointment)
            #expect(trail.sessions == ["ended hangup"])
            #expect(trail.audit == ["request", "accept", "leave"])
            let ended = try #require(try s.world.outbox(appointment).last)
            #expect(ended.event == ServeWorld.event("CallEnded"))
            #expect(ended.payload["reason"] as? String == "hangup")
            #expect(ended.payload["duration"] as? Int == 0)
            #expect(try await s.ring(appointment) != callId)
        }
    }

    @Test("GET current for a page refresh: null without a call, the open call with both peer ids, null again once it ended")
    func currentCall() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let none = try await s.get(appointment, as: s.patient)
            #expect(none.status == 200, "\(none.text)")
            #expect(none.text == #"{"appointmentId":\#(appointment),"appointmentStatus":"scheduled","call":null}"#)
            let callId = try await s.ring(appointment, peerId: "doctor-peer-1")
            let accepted = try await s.call("accept", appointment, as: s.patient, callId: callId, peerId: "patient-peer-1")
            #expect(accepted.status == 200)
            let refreshed = try #require(try await s.get(appointment, as: s.doctor).json["call"] as? [String: Any])
            #expect(texts(refreshed) == texts(accepted.json), "the answer shows exactly what a later read of the database shows")
            for user in [s.doctor, s.patient] {
                let open = try await s.get(appointment, as: user)
                let call = try #require(open.json["call"] as? [String: Any], "\(open.text)")
                #expect(callSummary(call) == "accepted scheduled - doctor-peer-1 patient-peer-1 requestedAt acceptedAt")
                #expect(call["callId"] as? String == callId)
                #expect(open.json["appointmentStatus"] as? String == "scheduled")
            }
            #expect(try await s.call("end", appointment, as: s.doctor, callId: callId).status == 200)
            #expect(try await s.get(appointment, as: s.doctor).json["call"] is NSNull)
            try await s.get(appointment, as: try s.person("patient").userId).expectError(404, "not_found")
            try await s.get(987_654_321, as: s.doctor).expectError(404, "not_found")
        }
    }

    @Test("both participants request at once, three times: exactly one 200 and one 409 busy each time, one session each")
    func simultaneousRequests() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let tokens = [try s.token(s.doctor), try s.token(s.patient)]
        let server = s.server
        for _ in 1...3 {
            let answers = simultaneously(2) { index in
                try? server.request("POST", "/appointments/\(appointment)/call/request", token: tokens[index], json: [String: String]())
            }
            let statuses = answers.map { $0?.status ?? -1 }
            #expect(statuses.sorted() == [200, 409])
            let winner = try #require(statuses.firstIndex(of: 200))
            #expect(answers[1 - winner]?.reason == "busy")
            let callId = try #require(answers[winner]?.json["callId"] as? String)
            #expect(try s.call("cancel", appointment, as: [s.doctor, s.patient][winner], callId: callId).status == 200)
        }
        let trail = try s.trail(appointment)
        #expect(trail.sessions == Array(repeating: "ended cancelled", count: 3))
        #expect(trail.audit.sorted() == ["busy", "busy", "busy", "cancel", "cancel", "cancel", "request", "request", "request"])
        #expect(trail.events.filter { $0 == ServeWorld.event("Busy") }.count == 3)
        #expect(trail.events.filter { $0 == ServeWorld.event("CallRequested") }.count == 3)
    }

    @Test("two daemons on one database racing the same request, both waiting on the appointment at once: one 200, one 409 busy, one session")
    func twoDaemonsRace() throws {
        let s = try ServeWorld()
        let second = try ServeProcess.start(s.world.database, [])
        defer { _ = try? second.stop() }
        let tokens = [try s.token(s.doctor), try s.token(s.patient)]
        let servers = [s.server, second]
        let database = s.world.database
        for _ in 1...3 {
            let appointment = try s.appointment()
            // A barrier: the test holds the appointment row until both daemons wait for it at
            // the same time (they would not if the requests ran one after the other).
            let blocker = try database.connect()
            try blocker.execute("BEGIN")
            try blocker.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", appointment)
            let racing = BackgroundValue {
                simultaneously(2) { index in
                    try? servers[index].request("POST", "/appointments/\(appointment)/call/request", token: tokens[index],
                                                json: [String: String]())
                }
            }
            var waiting: [Int32] = []
            let bothWaiting = try eventually(within: 60) {
                waiting = try s.world.connection.backendsWaitingOnLock("%FOR UPDATE OF a%")
                return waiting.count == 2
            }
            try blocker.execute("ROLLBACK")
            #expect(bothWaiting, "\(waiting.count) of 2 daemons were waiting for the appointment at once")
            let answers = try #require(racing.value(), "the requests did not finish")
            let statuses = answers.map { $0?.status ?? -1 }
            #expect(statuses.sorted() == [200, 409])
            #expect(answers.compactMap { $0?.reason } == ["busy"])
            #expect(try s.world.value("SELECT count(*)::text FROM call_sessions WHERE appointment_id = $1", appointment) == "1")
            let winner = try #require(statuses.firstIndex(of: 200))
            let callId = try #require(answers[winner]?.json["callId"] as? String)
            #expect(try s.call("cancel", appointment, as: [s.doctor, s.patient][winner], callId: callId).status == 200)
        }
    }

    @Test("ice-servers: one STUN entry, one TURN entry with REST credentials for this user and appointment; 404 for others")
    func iceServers() async throws {
        let secret = "serve-tests-turn-secret-93c1"
        try await RouterWorld.test(environment: [
            "CALLCTL_ICE_SERVERS": "stun:127.0.0.1:3478, turn:127.0.0.1:3478", "CALLCTL_TURN_SECRET": secret, "CALLCTL_TURN_TTL": "600",
        ]) { s in
            let appointment = try s.appointment()
            let before = Int(Date().timeIntervalSince1970)
            let response = try await s.get(appointment, "/ice-servers", as: s.patient)
            #expect(response.status == 200, "\(response.text)")
            let entries = try #require(response.json["iceServers"] as? [[String: Any]], "\(response.text)")
            try #require(entries.count == 2, "\(response.text)")
            #expect(entries[0]["urls"] as? [String] == ["stun:127.0.0.1:3478"])
            #expect(entries[0]["username"] == nil && entries[0]["credential"] == nil)
            #expect(entries[1]["urls"] as? [String] == ["turn:127.0.0.1:3478"])
            let expiry = try #require(response.json["expiresAt"] as? Int)
            #expect((before + 600...Int(Date().timeIntervalSince1970) + 600).contains(expiry))
            #expect(response.json["ttl"] as? Int == 600)
            let username = try #require(entries[1]["username"] as? String)
            #expect(username == "\(expiry):\(s.patient):\(appointment)")
            // Whether the credential is right is for coturn to judge: ServeIceTests.coturnAcceptsIssuedCredential.
            #expect(entries[1]["credential"] as? String != nil)
            try await s.get(appointment, "/ice-servers", as: try s.person("doctor").userId).expectError(404, "not_found")
        }
    }
}
