import Foundation
import LocalServices
import Testing

/// What the browser reads and reports (issue 22): `GET /call-config` following `config set`,
/// auto-accept where allowed and refused in production, rings on the callee's own channel, and
/// `POST …/call/report` with its refusals and audit rows.
@Suite("callctl serve: the browser's contract", .serialized)
struct CallContractTests {
    private func config(_ s: RouterWorld, _ arguments: [String], environment: [String: String?] = [:]) async -> CommandRunner.Outcome {
        await InProcess.run(["config"] + arguments, environment: ["DATABASE_URL": s.world.database.connectionString].merging(environment) { $1 })
    }

    @Test("call-config: the reaper's timeouts, a heartbeat interval, event names and channels; config set reaches it at once")
    func callConfig() async throws {
        try await RouterWorld.test { s in
            let before = try await s.server.request("GET", "/call-config", token: try s.token(s.patient))
            #expect(before.status == 200, "\(before.text)")
            #expect(before.json["ringingTimeoutSeconds"] as? Int == 30 && before.json["heartbeatIntervalSeconds"] as? Int == 30)
            #expect(before.json["autoAccept"] as? Bool == false)
            let events = try #require(before.json["events"] as? [String: Any])
            #expect((events["names"] as? [String: String])?["requested"] == "AppointmentCallRequested")
            #expect(events["userChannel"] is NSNull && events["namespace"] as? String == "App\\Events", "\(before.text)")
            #expect(await config(s, ["set", "timeouts.ringing", "45s"]).status == 0)
            #expect(await config(s, ["set", "timeouts.heartbeat", "60s"]).status == 0)
            #expect(await config(s, ["set", "events.user_channel", "private-users"]).status == 0)
            let after = try await s.server.request("GET", "/call-config", token: try s.token(s.patient))
            #expect(after.json["ringingTimeoutSeconds"] as? Int == 45 && after.json["heartbeatIntervalSeconds"] as? Int == 20, "\(after.text)")
            #expect((after.json["events"] as? [String: Any])?["userChannel"] as? String == "private-users.{userId}", "\(after.text)")
            try await s.server.request("GET", "/call-config").expectError(401, "unauthenticated")
        }
    }

    @Test("auto-accept: config set refuses it without a development APP_ENV; where allowed, the request comes back accepted")
    func autoAccept() async throws {
        try await RouterWorld.test(environment: ["APP_ENV": "local"]) { s in
            let refused = await config(s, ["set", "calls.auto_accept", "true"])
            #expect(refused.status == 78 && refused.standardError.contains("APP_ENV=local"), "\(refused.standardError)")
            #expect(await config(s, ["set", "calls.auto_accept", "true"], environment: ["APP_ENV": "local"]).status == 0)
            let appointment = try s.appointment()
            let response = try await s.call("request", appointment, as: s.doctor)
            #expect(response.status == 200 && response.json["state"] as? String == "accepted", "\(response.text)")
            let trail = try s.trail(appointment)
            #expect(trail.audit == ["request", "accept"], "\(trail)")
            #expect(trail.events == [ServeWorld.event("CallRequested"), ServeWorld.event("CallAccepted")])
            #expect(try s.auditPayloads(appointment).last?["userAgent"] as? String == "calls.auto_accept")
            let config = try await s.server.request("GET", "/call-config", token: try s.token(s.patient))
            #expect(config.json["autoAccept"] as? Bool == true)
        }
        // A production daemon (no APP_ENV) ignores the setting even when the row is there.
        try await RouterWorld.test { s in
            try s.world.connection.query("INSERT INTO settings (key, value) VALUES ('calls.auto_accept', 'true')")
            let appointment = try s.appointment()
            #expect(try await s.call("request", appointment, as: s.doctor).json["state"] as? String == "ringing")
            #expect(try await s.server.request("GET", "/call-config", token: try s.token(s.patient)).json["autoAccept"] as? Bool == false)
        }
    }

    @Test("a ring and its cancel also go to the callee's own channel, as events.user_channel says")
    func userChannelRing() async throws {
        try await RouterWorld.test { s in
            #expect(await config(s, ["set", "events.user_channel", "private-users"]).status == 0)
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            #expect(try await s.call("cancel", appointment, as: s.doctor, callId: callId).status == 200)
            let rows = try s.world.connection.query("SELECT channel, event FROM outbox ORDER BY id").rows.map {
                "\(try $0.decode(String.self, "channel")) \(try $0.decode(String.self, "event").split(separator: "\\").last ?? "")"
            }
            #expect(rows == ["private-appointments.\(appointment) AppointmentCallRequested", "private-users.\(s.patient) AppointmentCallRequested",
                             "private-appointments.\(appointment) AppointmentCallCancelled", "private-users.\(s.patient) AppointmentCallCancelled"],
                    "\(rows)")
            #expect(await config(s, ["set", "events.user_channel", "private-App.Models.User"]).status == 0)
            let second = try s.appointment()
            _ = try await s.ring(second)
            #expect(try s.world.count("SELECT count(*) FROM outbox WHERE channel = $1", "private-App.Models.User.\(s.patient)") == 1)
        }
    }

    @Test("reports: every refusal, then error, ice and quality rows that call show lists")
    func reports() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let callId = try await s.ring(appointment)
            let path = "/appointments/\(appointment)/call/report"
            func send(_ body: [String: Any], as user: Int64? = nil) async throws -> ServeResponse {
                try await s.server.request("POST", path, token: try s.token(user ?? s.patient), json: body)
            }
            try await send(["kind": "ice", "candidateType": "relay"]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "video"]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "error"]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "error", "name": "Not Allowed"]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "ice", "candidateType": "satellite"]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "quality", "rttMs": 10, "packetLossPercent": 101, "jitterMs": 1]).expectError(422, "validation")
            try await send(["callId": callId, "kind": "quality", "rttMs": "fast", "packetLossPercent": 1, "jitterMs": 1]).expectError(422, "validation")
            try await send(["callId": UUID().uuidString, "kind": "ice", "candidateType": "host"]).expectError(404, "not_found")
            try await send(["callId": callId, "kind": "ice", "candidateType": "host"], as: try s.person("patient").userId)
                .expectError(404, "not_found")
            try await s.server.request("POST", path, token: try s.token(s.patient), body: Data("not json".utf8)).expectError(400, "validation")
            let huge = ["callId": callId, "kind": "error", "name": "x", "message": String(repeating: "m", count: 20_000)]
            try await send(huge).expectError(413, "too_large")
            #expect(try await send(["callId": callId, "kind": "error", "name": "NotAllowedError", "message": "Permission denied"]).status == 200)
            #expect(try await send(["callId": callId, "kind": "ice", "candidateType": "relay", "transport": "udp"]).status == 200)
            #expect(try await send(["callId": callId, "kind": "quality", "rttMs": 450, "packetLossPercent": 2.5, "jitterMs": 12], as: s.doctor).status == 200)
            #expect(try s.trail(appointment).audit == ["request", "error", "ice", "quality"])
            let show = await s.world.run(["call", "show", String(appointment)])
            #expect(show.standardOutput.contains("NotAllowedError") && show.standardOutput.contains("quality"), "\(show.standardOutput)")
        }
    }
}
