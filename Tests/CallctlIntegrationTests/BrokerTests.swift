import Foundation
import Postgres
import Testing

/// Issue 18: the PeerJS broker in `callctl serve`, judged by PeerJS-protocol clients
/// (`Peers/broker_peer.py`, on the `websockets` library): who gets a peer id, who may connect,
/// who may signal to whom, and what happens on reloads, reconnects, timeouts and the call's end.
@Suite("PeerJS broker", .serialized)
struct BrokerTests {
    static func error(_ observed: Any?) -> String {
        let closed = observed as? [String: Any]
        let first = (closed?["messages"] as? [[String: Any]])?.first
        return "\(first?["type"] ?? "-"): \((first?["payload"] as? [String: Any])?["msg"] ?? "-") / \(closed?["code"] ?? "-")"
    }

    @Test("POST …/call/peer: a participant of the open call gets an id, a token and the other's id; the event and audit row are written")
    func issue() throws {
        let b = try BrokerWorld()
        let doctor = try #require(b.issued["doctor"]), patient = try #require(b.issued["patient"])
        #expect(doctor["otherPeerId"] is NSNull)
        #expect(patient["otherPeerId"] as? String == b.peerId("doctor"))
        #expect(patient["role"] as? String == "patient" && patient["callId"] as? String == b.callId)
        #expect((patient["broker"] as? [String: Any])?["path"] as? String == "/peerjs")
        #expect((patient["broker"] as? [String: Any])?["key"] as? String == ServeProcess.appKey)
        #expect(b.peerId("doctor").hasPrefix("cc") && b.peerId("doctor").count == 34)
        #expect(try b.audit(["peer"]) == ["peer \(b.s.doctor) ", "peer \(b.s.patient) "])
        let events = try b.s.world.connection.query("""
            SELECT payload->>'peerId' AS peer FROM outbox WHERE event = $1 ORDER BY id
            """, ServeWorld.event("CallPeerChanged")).rows.map { try $0.decode(String.self, "peer") }
        #expect(events == [b.peerId("doctor"), b.peerId("patient")])
        let call = try b.s.get(b.appointment, as: b.s.patient).json
        #expect(((call["call"] as? [String: Any])?["calleePeerId"] as? String) == b.peerId("patient"), "\(call)")

        let other = try b.s.appointment()
        func refused(_ user: Int64, appointment: Int64, body: [String: Any]) throws -> ServeResponse {
            try b.s.server.request("POST", "/appointments/\(appointment)/call/peer", token: try b.s.token(user), json: body)
        }
        try refused(b.s.doctor, appointment: other, body: ["callId": b.callId]).expectError(409, "invalid_transition")
        try refused(b.s.doctor, appointment: b.appointment, body: ["callId": UUID().uuidString]).expectError(409, "invalid_transition")
        try refused(b.s.doctor, appointment: b.appointment, body: [:]).expectError(422, "validation")
        try refused(b.s.doctor, appointment: b.appointment, body: ["callId": "nope"]).expectError(422, "validation")
        try refused(try b.s.person("doctor").userId, appointment: b.appointment, body: ["callId": b.callId]).expectError(404, "not_found")
        let unauthenticated = try b.s.server.request("POST", "/appointments/\(b.appointment)/call/peer", json: ["callId": b.callId])
        unauthenticated.expectError(401, "unauthenticated")
        let broker = try b.s.server.request("GET", "/peerjs/\(ServeProcess.appKey)/id")
        broker.expectError(403, "peer_id_issued_by_callctl")
        #expect(try b.s.server.request("GET", "/peerjs").status == 200)
    }

    @Test("refusals: missing parameters, an unknown key, an id callctl did not issue, a wrong, foreign or expired token, a taken id")
    func refusals() throws {
        let b = try BrokerWorld()
        let cases: [[String: Any]] = [
            ["token": b.token("doctor")],
            ["id": b.peerId("doctor")],
            ["id": b.peerId("doctor"), "token": b.token("doctor"), "key": "not-the-key"],
            ["id": "cc00000000000000000000000000000000", "token": b.token("doctor")],
            ["id": "../../etc", "token": b.token("doctor")],
            ["id": b.peerId("doctor"), "token": "1900000000.00"],
            ["id": b.peerId("patient"), "token": b.token("doctor")],
            ["id": b.peerId("doctor"), "token": b.token("doctor", expiring: Date().addingTimeInterval(-5))],
        ]
        let out = try b.run("refusals", ["cases": cases])
        let seen = (out["cases"] as? [Any] ?? []).map(Self.error)
        #expect(seen == [
            "ERROR: No id, token, or key supplied to websocket server / 1008",
            "ERROR: No id, token, or key supplied to websocket server / 1008",
            "ERROR: Invalid key provided / 1008",
            "ERROR: Peer id cc00000000000000000000000000000000 was not issued by callctl; ask POST /appointments/{id}/call/peer for one / 1008",
            "ERROR: Peer id ../../etc was not issued by callctl; ask POST /appointments/{id}/call/peer for one / 1008",
            "ERROR: Invalid token provided / 1008",
            "ERROR: Invalid token provided / 1008",
            "ERROR: Token expired: ask POST /appointments/{id}/call/peer for a new peer id / 1008",
        ], "\(out)")
    }

    @Test("relay: offer, answer and candidate flow between the two participants with src set by the broker; other destinations are refused")
    func relay() throws {
        let b = try BrokerWorld()
        let out = try b.run("relay", ["wrong": ["not issued": "cc11111111111111111111111111111111", "own id": b.peerId("doctor")]])
        let offer = try #require(out["offer"] as? [String: Any])
        #expect(offer["type"] as? String == "OFFER" && offer["src"] as? String == b.peerId("doctor") && offer["dst"] as? String == b.peerId("patient"))
        #expect((offer["payload"] as? [String: Any])?["connectionId"] as? String == "dc_test")
        #expect((out["answer"] as? [String: Any])?["src"] as? String == b.peerId("patient"))
        #expect((out["candidate"] as? [String: Any])?["type"] as? String == "CANDIDATE")
        let wrong = try #require(out["wrong"] as? [String: Any])
        #expect(Self.error(wrong["not issued"]).hasPrefix("ERROR: Peer cc11111111111111111111111111111111 was not issued by callctl"), "\(wrong)")
        #expect(Self.error(wrong["own id"]) == "ERROR: Peer \(b.peerId("doctor")) is not the other participant of your call. / 1008")
        #expect(try b.audit(["broker_join"]).count >= 2)

        let metrics = try b.s.server.request("GET", "/metrics").text
        let lines = Set(metrics.split(separator: "\n").map(String.init))
        #expect(lines.contains("callctl_broker_peers_limit 5000.0"), "\(metrics)")
        #expect(lines.contains("callctl_broker_messages_relayed_total 3"), "\(metrics)")
        #expect(lines.contains(#"callctl_broker_refusals_total{reason="wrong_destination"} 2"#), "\(metrics)")
        #expect(lines.contains { $0.hasPrefix("callctl_broker_peers ") }, "\(metrics)")
    }

    @Test("a participant of another call is not a destination")
    func otherCall() throws {
        let b = try BrokerWorld()
        let doctor = try b.s.person("doctor"), patient = try b.s.person("patient")
        let appointment = try b.s.appointment(doctor: doctor.id, patient: patient.id)
        let ring = try b.s.server.request("POST", "/appointments/\(appointment)/call/request", token: try b.s.token(doctor.userId),
                                          json: [String: String]())
        let callId = try #require(ring.json["callId"] as? String)
        let foreign = try b.issue(as: patient.userId, callId: callId, appointment: appointment)
        let out = try b.run("relay", ["wrong": ["other call": foreign["peerId"] as? String ?? ""]])
        #expect(Self.error((out["wrong"] as? [String: Any])?["other call"])
                == "ERROR: Peer \(foreign["peerId"] as? String ?? "") is not the other participant of your call. / 1008")
    }

    @Test("queued: an offer waits for the peer to connect; one it never reaches comes back as EXPIRE after the expire timeout")
    func queued() throws {
        let b = try BrokerWorld(["--peerjs-expire-timeout", "500"])
        let out = try b.run("queued")
        let held = try #require(out["held"] as? [String: Any])
        #expect(held["type"] as? String == "OFFER" && (held["payload"] as? [String: Any])?["connectionId"] as? String == "dc_early")
        let expire = try #require(out["expire"] as? [String: Any])
        #expect(expire.mapValues { "\($0)" } == ["type": "EXPIRE", "src": b.peerId("patient"), "dst": b.peerId("doctor")])
        let after = try #require(out["expire_after"] as? Double)
        #expect(after >= 0.5 && after < 3, "EXPIRE after \(after) s")
    }

    @Test("bad input: not JSON, an unknown type, a numeric dst, an oversized or binary frame, a flood: ERROR or a close, nothing crashes")
    func malformed() throws {
        let b = try BrokerWorld(["--peerjs-message-rate", "20"])
        let out = try b.run("malformed", ["flood": 60])
        #expect(Self.error(out["not_json"]) == "ERROR: Invalid message: not a JSON object / 1008")
        #expect(Self.error(out["unknown_type"]) == "ERROR: Invalid message: unknown type OPEN / 1008")
        #expect(Self.error(out["dst_number"]) == "ERROR: Invalid message: dst must be a peer id string / 1008")
        #expect(Self.error(out["oversized"]) == "-: - / 1009", "\(out["oversized"] ?? "-")")
        #expect(Self.error(out["binary"]) == "ERROR: Invalid message: not a JSON object / 1008")
        #expect(Self.error(out["flood"]) == "ERROR: Too many messages: more than 20 a second / 1008")
        #expect(try b.s.server.request("GET", "/healthz").status == 200)
    }

    @Test("reload: a new peer id closes the old socket; signals to the old id expire, to the new one arrive; the old id no longer connects")
    func reload() throws {
        let b = try BrokerWorld()
        let out = try b.run("reload", ["peer_path": "/appointments/\(b.appointment)/call/peer", "patient_bearer": try b.s.token(b.s.patient),
                                       "call_id": b.callId])
        #expect(Self.error(out["old"]).contains("was replaced by a newer one"), "\(out)")
        #expect(out["other"] as? String == b.peerId("doctor"))
        #expect((out["to_old"] as? [String: Any])?["type"] as? String == "EXPIRE")
        #expect((out["to_new"] as? [String: Any])?["src"] as? String == b.peerId("doctor"))
        #expect(Self.error(out["reuse_old"]).contains("was replaced by a newer one"), "\(out)")
    }

    @Test("reconnect with the same id and token: the new socket takes over, the old is closed; a second token for the id is ID-TAKEN")
    func resume() throws {
        let b = try BrokerWorld()
        let out = try b.run("resume")
        #expect((out["first"] as? [String: Any])?["code"] as? Int == 1000, "\(out)")
        #expect((out["offer"] as? [String: Any])?["src"] as? String == b.peerId("doctor"))
        let taken = try b.run("taken", ["other_token": b.token("doctor", expiring: Date().addingTimeInterval(300))])
        #expect(Self.error(taken["second"]) == "ID-TAKEN: ID is taken / 1008", "\(taken)")
        #expect((taken["first"] as? [String: Any])?["code"] as? String == "still open", "\(taken)")
    }

    @Test("a daemon at --peerjs-max-peers refuses the next peer with the stock server's message")
    func limit() throws {
        let b = try BrokerWorld(["--peerjs-max-peers", "1"])
        let out = try b.run("taken", ["second_id": b.peerId("patient"), "other_token": b.token("patient")])
        #expect(Self.error(out["second"]) == "ERROR: Server has reached its concurrent user limit / 1008", "\(out)")
        #expect((out["first"] as? [String: Any])?["code"] as? String == "still open", "\(out)")
    }

    @Test("the call ends: both peers get LEAVE from the other and are closed; the ids stop working; joins and leaves are audited")
    func ended() throws {
        let b = try BrokerWorld()
        let out = try b.run("ended", ["end_path": "/appointments/\(b.appointment)/call/cancel", "doctor_bearer": try b.s.token(b.s.doctor),
                                      "call_id": b.callId])
        for (who, other) in [("doctor", "patient"), ("patient", "doctor")] {
            let closed = try #require(out[who] as? [String: Any])
            let leave = (closed["messages"] as? [[String: Any]])?.first
            #expect(leave?["type"] as? String == "LEAVE" && leave?["src"] as? String == b.peerId(other), "\(who): \(closed)")
            #expect(closed["code"] as? Int == 1000, "\(who): \(closed)")
        }
        #expect(Self.error(out["again"]) == "ERROR: The call of peer id \(b.peerId("doctor")) has ended / 1008")
        #expect(try eventually { try b.audit(["broker_join", "broker_leave"]).count == 4 })
        let rows = try b.audit(["broker_join", "broker_leave"])
        #expect(rows.filter { $0.hasPrefix("broker_leave") }.allSatisfy { $0.hasSuffix("call ended") }, "\(rows)")
    }

    @Test("race: a peer id asked for while a job holds the call's locks and ends it: 409 invalid_transition, nothing issued")
    func raceWithJob() throws {
        let b = try BrokerWorld()
        let call = try #require(UUID(uuidString: b.callId))
        let job = try b.s.world.database.connect()
        try job.execute("BEGIN")
        try job.query("SELECT 1 FROM call_sessions s JOIN appointments a ON a.id = s.appointment_id WHERE s.id = $1 FOR UPDATE OF s, a", call)
        try job.query("UPDATE call_sessions SET state = 'ended', end_reason = 'timeout_no_answer', ended_at = now() WHERE id = $1", call)
        let (server, token, path, callId) = (b.s.server, try b.s.token(b.s.patient), "/appointments/\(b.appointment)/call/peer", b.callId)
        let answer = BackgroundValue { try? server.request("POST", path, token: token, json: ["callId": callId]) }
        #expect(try eventually { try b.s.world.backendWaitingOnLock("%FROM appointments a%FOR UPDATE OF a%") != nil },
                "the request never waited on the job's lock")
        try job.execute("COMMIT")
        let response = try #require(answer.value() ?? nil, "no answer")
        response.expectError(409, "invalid_transition")
        #expect(try b.s.world.count("SELECT count(*) FROM broker_peers") == 2)
        #expect(try b.audit(["peer"]).count == 2)
        let refused = try b.run("refusals", ["cases": [["id": b.peerId("patient"), "token": b.token("patient")]]])
        #expect((refused["cases"] as? [Any]).map { $0.map(Self.error) } == ["ERROR: The call of peer id \(b.peerId("patient")) has ended / 1008"])
    }

    @Test("two daemons: peers on different daemons reach each other; an offer waits for a peer connecting to the other daemon; moving closes the old socket; the call's end reaches both")
    func twoDaemons() throws {
        let b = try BrokerWorld()
        let second = try ServeProcess.start(b.s.world.database)
        defer { _ = try? second.stop() }
        let out = try b.run("two_daemons", ["end_path": "/appointments/\(b.appointment)/call/cancel",
                                            "doctor_bearer": try b.s.token(b.s.doctor), "call_id": b.callId], others: [second])
        #expect((out["held"] as? [String: Any])?["payload"].flatMap { ($0 as? [String: Any])?["connectionId"] as? String } == "dc_early", "\(out)")
        #expect((out["candidate"] as? [String: Any])?["type"] as? String == "CANDIDATE")
        #expect((out["answer"] as? [String: Any])?["src"] as? String == b.peerId("patient"))
        #expect((out["left_behind"] as? [String: Any])?["code"] as? Int == 1000, "\(out)")
        #expect((out["after_move"] as? [String: Any])?["type"] as? String == "OFFER")
        #expect((out["moved_again"] as? [String: Any])?["code"] as? Int == 1000, "\(out)")
        for who in ["doctor_end", "patient_end"] {
            let closed = out[who] as? [String: Any]
            #expect((closed?["messages"] as? [[String: Any]])?.first?["type"] as? String == "LEAVE", "\(who): \(out)")
            #expect(closed?["code"] as? Int == 1000, "\(who): \(out)")
        }
        #expect(try b.s.world.count("SELECT count(*) FROM broker_messages") == 0)
    }

    @Test("a peer without HEARTBEAT is disconnected after the alive timeout")
    func silent() throws {
        let b = try BrokerWorld(["--peerjs-alive-timeout", "5"])
        let out = try b.run("silent", ["wait": 12])
        #expect((out["closed"] as? [String: Any])?["code"] as? Int == 1000, "\(out)")
        let after = try #require(out["after"] as? Double)
        #expect(after >= 5 && after < 8, "closed after \(after) s")
        #expect(try eventually { try b.audit(["broker_leave"]) == ["broker_leave \(b.s.doctor) no heartbeat"] })
    }
}

/// The judge of issue 18: peerjs-py, a third-party PeerJS client on aiortc, opens a real WebRTC
/// data channel between the call's two participants through the broker, directly and relayed
/// through a real coturn with the credentials callctl's own `ice-servers` endpoint issued.
@Suite("PeerJS broker with peerjs-py", .serialized)
struct BrokerPeerJSTests {
    static func run(_ b: BrokerWorld, _ scenario: String, _ arguments: [String: Any] = [:]) throws -> [String: Any] {
        var all: [String: Any] = [
            "port": b.s.server.port, "path": "/peerjs", "key": ServeProcess.appKey,
            "peers": ["doctor": ["id": b.peerId("doctor"), "token": b.token("doctor")],
                      "patient": ["id": b.peerId("patient"), "token": b.token("patient")]],
        ]
        all.merge(arguments) { $1 }
        return try HubPeer.script("peerjs_datachannel.py", scenario, all, [b.s.server])
    }

    static func check(_ out: [String: Any], pair: String) {
        #expect((out["patient_got"] as? [String: Any])?["hello"] as? String == "from the doctor", "\(out)")
        #expect((out["doctor_got"] as? [String: Any])?["reply"] as? String == "from the patient", "\(out)")
        let selected = (out["pair"] as? [String: Any])?.mapValues { "\($0)" }
        #expect(selected == ["local": pair, "remote": pair], "\(out)")
        #expect((out["errors"] as? [Any])?.isEmpty == true, "\(out)")
    }

    @Test("two peerjs-py peers open a data channel through the broker with host candidates and exchange a message each way")
    func direct() throws {
        let b = try BrokerWorld()
        Self.check(try Self.run(b, "direct"), pair: "host")
        #expect(try b.audit(["broker_join"]).count == 2)
    }

    @Test("relayed: only TURN candidates, with the credentials of callctl's ice-servers endpoint, through a real coturn")
    func relayed() throws {
        let secret = "broker-relay-tests-secret-4411"
        try withCoturn(.sharedSecret(secret)) { coturn in
            let b = try BrokerWorld(environment: ["CALLCTL_ICE_SERVERS": coturn.uri("turn", "udp"), "CALLCTL_TURN_SECRET": secret])
            let servers = try b.s.get(b.appointment, "/ice-servers", as: b.s.doctor)
            #expect(servers.status == 200, "\(servers.text)")
            Self.check(try Self.run(b, "relay", ["ice_servers": servers.json["iceServers"] ?? []]), pair: "relay")
        }
    }
}
