import Foundation
import Testing

/// `GET /appointments/{id}/call/ice-servers` hands out TURN relay credentials only while the
/// appointment can be called or has an open call, never valid past the window's end plus the
/// grace, and rate-limited per user and appointment.
@Suite("callctl serve: TURN credentials only for callable appointments", .serialized)
struct ServeIceTests {
    static let environment: [String: String?] = [
        "CALLCTL_ICE_SERVERS": "stun:127.0.0.1:3478, turn:127.0.0.1:3478", "CALLCTL_TURN_SECRET": "serve-ice-tests-secret-5521",
        "CALLCTL_TURN_TTL": "3600",
    ]

    @Test("a real coturn with the same shared secret relays with the credential serve issued, and refuses it tampered")
    func coturnAcceptsIssuedCredential() throws {
        let secret = "serve-ice-tests-coturn-secret-7730"
        try withCoturn(.sharedSecret(secret)) { coturn in
            let uri = coturn.uri("turn", "udp")
            let s = try ServeWorld(environment: ["CALLCTL_ICE_SERVERS": uri, "CALLCTL_TURN_SECRET": secret, "CALLCTL_TURN_TTL": "600"])
            let appointment = try s.appointment()
            let answer = try s.get(appointment, "/ice-servers", as: s.patient)
            #expect(answer.status == 200, "\(answer.text)")
            let entries = try #require(answer.json["iceServers"] as? [[String: Any]], "\(answer.text)")
            let turn = try #require(entries.first { ($0["urls"] as? [String]) == [uri] }, "\(answer.text)")
            let username = try #require(turn["username"] as? String)
            let credential = try #require(turn["credential"] as? String)
            let relay = { (username: String, password: String) in
                try ProbeCLI.run(["turn", uri, "--username", username, "--password", password, "--format", "json"])
            }
            let issued = try relay(username, credential)
            #expect(issued.status == 0, "\(issued.stdout)\(issued.stderr)")
            #expect(try issued.checks()["relay-outbound"]?["status"] as? String == "OK", "\(issued.stdout)")
            // The same credential for another appointment, or a credential with one character changed, is refused.
            let otherAppointment = username.split(separator: ":").dropLast().joined(separator: ":") + ":\(appointment + 1)"
            let tamperedCredential = (credential.first == "A" ? "B" : "A") + credential.dropFirst()
            for (label, name, password) in [("username", otherAppointment, credential), ("credential", username, tamperedCredential)] {
                let refused = try relay(name, password)
                #expect(refused.status == 2, "tampered \(label): \(refused.stdout)")
                let check = try refused.checks()["allocate-authenticated"]
                #expect(check?["status"] as? String == "CRITICAL", "tampered \(label): \(refused.stdout)")
                #expect((check?["detail"] as? String)?.contains("authentication failed") == true, "tampered \(label): \(refused.stdout)")
            }
        }
    }

    @Test("completed, cancelled, long past and far future appointments get no credentials, with the gate that refuses")
    func refusedAppointments() throws {
        let s = try ServeWorld(environment: Self.environment)
        let cases: [(minutes: Int, status: String, expected: (Int, String))] = [
            (0, "completed", (403, "invalid_status")), (0, "cancelled", (403, "invalid_status")),
            (-3 * 24 * 60, "scheduled", (403, "too_late")), (24 * 60, "scheduled", (403, "too_early")),
        ]
        for (minutes, status, (code, reason)) in cases {
            let appointment = try s.appointment(in: minutes, status: status)
            try s.get(appointment, "/ice-servers", as: s.patient).expectError(code, reason)
        }
    }

    @Test("credentials expire by the window's end plus the grace, not the configured TTL; an open call keeps getting them")
    func expiryCappedByWindow() throws {
        let s = try ServeWorld(environment: Self.environment)
        // Scheduled 40 min ago for 30 min: the window (15 min grace) closes in about 5 minutes.
        let appointment = try s.appointment(in: -40, duration: 30)
        let now = Int(Date().timeIntervalSince1970)
        let answer = try s.get(appointment, "/ice-servers", as: s.doctor)
        #expect(answer.status == 200, "\(answer.text)")
        let ttl = try #require(answer.json["ttl"] as? Int)
        #expect((240...300).contains(ttl), "ttl \(ttl)")
        let expiry = try #require(answer.json["expiresAt"] as? Int)
        #expect(expiry <= now + 301)
        _ = try s.ring(appointment)
        #expect(try s.get(appointment, "/ice-servers", as: s.patient).status == 200)
    }

    @Test("the sixth ice-servers request within 10 s of one user on one appointment is 429 with Retry-After")
    func rateLimited() throws {
        let s = try ServeWorld(environment: Self.environment)
        let appointment = try s.appointment()
        let statuses = try (1...6).map { _ in try s.get(appointment, "/ice-servers", as: s.patient).status }
        #expect(statuses == [200, 200, 200, 200, 200, 429])
        let limited = try s.get(appointment, "/ice-servers", as: s.patient)
        limited.expectError(429, "rate_limited")
        #expect(limited.headers["retry-after"] != nil)
        #expect(try s.get(appointment, "/ice-servers", as: s.doctor).status == 200, "another user's bucket is free")
    }
}
