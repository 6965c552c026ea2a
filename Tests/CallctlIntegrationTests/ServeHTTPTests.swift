import Foundation
import Testing

/// `callctl serve`'s HTTP surface: JSON errors for bad requests, the rate limit, health,
/// metrics, graceful stop, and secrets kept out of logs and metrics.
@Suite("callctl serve: HTTP surface", .serialized)
struct ServeHTTPTests {
    /// Records an issue unless `response` is a `validation` refusal with `status` whose sentence contains `mention`.
    private func expectInvalid(_ response: ServeResponse, _ status: Int = 422, mentioning mention: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        response.expectError(status, "validation", sourceLocation: sourceLocation)
        #expect((response.json["error"] as? String)?.contains(mention) == true, "\(response.text)", sourceLocation: sourceLocation)
    }

    @Test("bad requests get JSON errors: unknown route or action 404, not JSON 400, bad fields 422; nothing is written")
    func badRequests() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let token = try s.token(s.doctor)
            let post = { (action: String, body: Data) in
                try await s.server.request("POST", "/appointments/\(appointment)/call/\(action)", token: token, body: body,
                                     headers: [("Content-Type", "application/json")])
            }
            let json = { (object: [String: Any]) in try JSONSerialization.data(withJSONObject: object) }
            try await s.server.request("GET", "/no/such/route").expectError(404, "not_found")
            try await s.server.request("DELETE", "/healthz").expectError(404, "not_found")
            try await post("dance", Data()).expectError(404, "not_found")
            expectInvalid(try await post("request", Data("{not json".utf8)), 400, mentioning: "not a JSON object")
            expectInvalid(try await post("request", Data("[1, 2]".utf8)), 400, mentioning: "not a JSON object")
            expectInvalid(try await post("accept", try json(["callId": 5])), mentioning: "callId must be a string")
            expectInvalid(try await post("request", try json(["peerId": true])), mentioning: "peerId must be a string")
            expectInvalid(try await post("accept", try json([:])), mentioning: "callId is required for accept")
            expectInvalid(try await post("end", try json(["callId": "not-a-uuid"])), mentioning: "callId must be a UUID")
            for peer in ["bad peer!", "", String(repeating: "p", count: 129), "pé"] {
                expectInvalid(try await post("request", try json(["peerId": peer])), mentioning: "peerId must be 1–128")
            }
            expectInvalid(try await s.server.request("POST", "/appointments/abc/call/request", token: token, json: [:]), mentioning: "positive integer")
            let trail = try s.trail(appointment)
            #expect(trail.sessions.isEmpty && trail.audit.isEmpty && trail.events.isEmpty)
        }
    }

    @Test("an appointment id spelled with a leading zero or a plus sign (/appointments/01/call, /+1/) is 404 not_found; nothing is written")
    func canonicalPathIds() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let token = try s.token(s.doctor)
            _ = try await s.ring(appointment)
            #expect(try await s.get(appointment, as: s.doctor).status == 200)
            for spelling in ["0\(appointment)", "00\(appointment)", "+\(appointment)"] {
                try await s.server.request("GET", "/appointments/\(spelling)/call", token: token).expectError(404, "not_found")
                try await s.server.request("POST", "/appointments/\(spelling)/call/cancel", token: token, json: [:]).expectError(404, "not_found")
                try await s.server.request("GET", "/appointments/\(spelling)/call/ice-servers", token: token).expectError(404, "not_found")
            }
            expectInvalid(try await s.server.request("GET", "/appointments/0/call", token: token), mentioning: "positive integer")
            expectInvalid(try await s.server.request("GET", "/appointments/-\(appointment)/call", token: token), mentioning: "positive integer")
            #expect(try s.trail(appointment).sessions == ["ringing"])
        }
    }

    @Test("a body of 16 KiB is read; one byte more is 413 too_large as JSON, and nothing is written")
    func bodyLimit() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let post = { (size: Int) in
                let body = Data(("{\"pad\":\"" + String(repeating: "x", count: size - 10) + "\"}").utf8)
                return try await s.server.request("POST", "/appointments/\(appointment)/call/request", token: try s.token(s.doctor), body: body)
            }
            let large = try await post(16 * 1024 + 1)
            large.expectError(413, "too_large")
            #expect((large.json["error"] as? String)?.contains("16384 bytes") == true, "\(large.text)\n\(s.server.standardError)")
            #expect(try s.trail(appointment).sessions.isEmpty)
            #expect(try await post(16 * 1024).status == 200)
        }
    }

    @Test("--rate-limit 2/60s: the third request of one user on one appointment is 429 with Retry-After; other buckets are free")
    func rateLimit() async throws {
        try await RouterWorld.test(["--rate-limit", "2/60s"]) { s in
            let appointment = try s.appointment()
            for _ in 1...2 {
                let callId = try await s.ring(appointment)
                #expect(try await s.call("cancel", appointment, as: s.doctor, callId: callId).status == 200)
            }
            let limited = try await s.call("request", appointment, as: s.doctor)
            limited.expectError(429, "rate_limited")
            let wait = try #require(Int(limited.headers["retry-after"] ?? ""), "\(limited.headers)")
            #expect((28...30).contains(wait))
            #expect((limited.json["error"] as? String)?.contains("try again in \(wait) s") == true, "\(limited.text)")
            #expect(try s.trail(appointment).sessions == ["ended cancelled", "ended cancelled"])
            let other = try s.appointment()
            let callId = try await s.ring(other)
            #expect(try await s.call("cancel", other, as: s.doctor, callId: callId).status == 200)
            #expect(try await s.call("request", appointment, as: s.patient).status == 200)
        }
    }

    @Test("/readyz answers ready; /metrics counts requests by route and status and reads open calls and the outbox backlog")
    func readinessAndMetrics() throws {
        let s = try ServeWorld()
        let appointment = try s.appointment()
        let ready = try s.server.request("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.text == #"{"status":"ready","warnings":[]}"#)
        _ = try s.ring(appointment)
        try s.call("request", appointment, as: s.patient).expectError(409, "busy")
        var metrics = ""
        let counted = eventually(within: 5) {
            metrics = (try? s.server.request("GET", "/metrics").text) ?? ""
            return metrics.contains(Self.requests(route: "/appointments/{id}/call/{action}", status: 409))
                && metrics.contains("callctl_outbox_relayed_total 2")
        }
        #expect(counted, "\(metrics)")
        #expect(metrics.contains(Self.requests(route: "/appointments/{id}/call/{action}", status: 200)))
        #expect(metrics.contains(Self.requests(route: "/readyz", status: 200)))
        let gauges = Set(metrics.split(separator: "\n").filter { $0.hasPrefix("callctl_") }.map(String.init))
        #expect(gauges.isSuperset(of: [
            "callctl_database_up 1",
            #"callctl_open_calls{state="accepted"} 0"#, #"callctl_open_calls{state="in_call"} 0"#, #"callctl_open_calls{state="ringing"} 1"#,
            "callctl_outbox_backlog 0", "callctl_outbox_relayed_total 2", "callctl_hub_connections 0.0",
        ]), "\(gauges)")
        #expect(metrics.contains("# TYPE callctl_open_calls gauge"))
    }

    /// The `hb_requests` line of one route and status, counted once, for a POST or GET.
    private static func requests(route: String, status: Int) -> String {
        let method = route.hasPrefix("/appointments") ? "POST" : "GET"
        return #"hb_requests{http_route="\#(route)",http_request_method="\#(method)",http_response_status_code="\#(status)"} 1"#
    }

    @Test("SIGTERM while idle: exit 0 with 'stopped' logged")
    func gracefulStop() throws {
        let s = try ServeWorld()
        let ending = try s.server.stop()
        #expect(ending.status == 0, "\(ending.standardError)")
        #expect(ending.standardError.contains(#""msg":"stopped""#), "\(ending.standardError)")
        #expect((try? s.server.request("GET", "/healthz")) == nil)
    }

    @Test("the JWT secret, the TURN secret and bearer tokens never appear in the log (at trace level) or the metrics")
    func secretsStayHidden() throws {
        let turnSecret = "serve-tests-turn-secret-never-logged"
        let s = try ServeWorld(["--log-level", "trace"], environment: [
            "CALLCTL_ICE_SERVERS": "turn:127.0.0.1:3478", "CALLCTL_TURN_SECRET": turnSecret,
        ])
        let appointment = try s.appointment()
        let token = try s.token(s.doctor)
        #expect(try s.get(appointment, "/ice-servers", as: s.doctor).status == 200)
        let callId = try s.ring(appointment)
        #expect(try s.call("cancel", appointment, as: s.doctor, callId: callId).status == 200)
        let forged = try ServeToken.hs256(ServeToken.claims(user: s.doctor), secret: turnSecret)
        #expect(try s.server.request("GET", "/appointments/\(appointment)/call", token: forged).status == 401)
        let metrics = try s.server.request("GET", "/metrics").text
        let ending = try s.server.stop()
        #expect(ending.status == 0)
        #expect(ending.standardError.contains("call transition"), "the log shows no call transition: \(ending.standardError)")
        for secret in [ServeProcess.jwtSecret, turnSecret, token, forged] {
            #expect(!ending.standardError.contains(secret))
            #expect(!metrics.contains(secret))
        }
    }
}
