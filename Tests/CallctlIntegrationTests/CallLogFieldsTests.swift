import Foundation
import Testing

/// The daemon's JSON logs can be followed call by call: every line about a call carries
/// `appointmentId`, `callId` (when there is one), `userId`, `event`, `latency_ms` and
/// `requestId`; refusals too. A request id comes from `X-Request-Id` or is made up, is returned
/// in the response, and is written into the audit row.
@Suite("callctl serve: log lines carry the call's ids", .serialized)
struct CallLogFieldsTests {
    private func lines(_ s: RouterWorld, _ message: String) -> [[String: Any]] {
        s.server.standardError.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["msg"] as? String == message }
    }

    @Test("a full call and a refused one: each line has the ids, the event and a latency; X-Request-Id reaches the audit row")
    func fields() async throws {
        try await RouterWorld.test { s in
            let appointment = try s.appointment()
            let ring = try await s.server.request("POST", "/appointments/\(appointment)/call/request", token: try s.token(s.doctor),
                                                  json: [:], headers: [("X-Request-Id", "laravel-req-42")])
            #expect(ring.status == 200 && ring.headers["x-request-id"] == "laravel-req-42", "\(ring.headers)")
            let callId = try #require(ring.json["callId"] as? String)
            for (action, user) in [("accept", s.patient), ("started", s.doctor), ("started", s.patient), ("end", s.doctor)] {
                #expect(try await s.call(action, appointment, as: user, callId: callId).status == 200)
            }
            let refused = try await s.call("accept", appointment, as: s.patient, callId: callId)
            #expect(refused.status == 409)
            let generated = try #require(refused.headers["x-request-id"])
            #expect(UUID(uuidString: generated) != nil, "a request without X-Request-Id gets a UUID: \(generated)")

            let transitions = lines(s, "call transition")
            #expect(transitions.count == 5, "\(s.server.standardError)")
            #expect(transitions.compactMap { $0["event"] as? String } == ["request", "accept", "started", "started", "end"])
            for line in transitions {
                #expect(line["appointmentId"] as? String == "\(appointment)" && line["callId"] as? String == callId, "\(line)")
                #expect(line["userId"] as? String != nil && Double(line["latency_ms"] as? String ?? "") != nil, "\(line)")
                #expect((line["requestId"] as? String)?.isEmpty == false, "\(line)")
            }
            #expect(transitions.first?["requestId"] as? String == "laravel-req-42")
            let refusal = try #require(lines(s, "call refused").first)
            #expect(refusal["appointmentId"] as? String == "\(appointment)" && refusal["callId"] as? String == callId, "\(refusal)")
            #expect(refusal["userId"] as? String == "\(s.patient)" && refusal["event"] as? String == "accept", "\(refusal)")
            #expect(refusal["reason"] as? String == "invalid_transition" && refusal["requestId"] as? String == generated, "\(refusal)")
            #expect(Double(refusal["latency_ms"] as? String ?? "") != nil, "\(refusal)")

            let audit = try s.auditPayloads(appointment)
            #expect(audit.first?["requestId"] as? String == "laravel-req-42", "\(audit)")
            #expect(audit.allSatisfy { ($0["requestId"] as? String)?.isEmpty == false }, "\(audit)")
        }
    }

    @Test("an X-Request-Id that is too long or holds other characters is replaced, not refused and not logged")
    func hostileRequestId() async throws {
        try await RouterWorld.test { s in
            let hostile = "a\"b\\c" + String(repeating: "x", count: 200)
            let response = try await s.server.request("GET", "/healthz", headers: [("X-Request-Id", hostile)])
            #expect(response.status == 200)
            #expect(response.headers["x-request-id"].flatMap(UUID.init(uuidString:)) != nil, "\(response.headers)")
            #expect(!s.server.standardError.contains(String(repeating: "x", count: 200)))
        }
    }

    @Test("a job logs one debug line per changed row, with its ids and event, and one info summary")
    func jobRows() async throws {
        let world = try JobsWorld()
        let appointment = try world.appointment("2026-03-02T10:00:00Z", status: "in_progress", startedAt: "2026-03-02T10:00:00Z")
        let call = try world.session(appointment, "ringing", requested: "2026-03-02T10:01:00Z")
        let run = await world.run(["jobs", "reap", "--now", "2026-03-02T10:05:00Z", "--log-level", "debug", "--log-format", "json"])
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardError.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        let rows = lines.filter { $0["msg"] as? String == "row changed" }
        #expect(rows.count == 1, "\(run.standardError)")
        #expect(rows.first?["callId"] as? String == call.uuidString.lowercased() && rows.first?["event"] as? String == "ended",
                "\(rows)")
        #expect(rows.first?["level"] as? String == "debug" && rows.first?["job"] as? String == "reap", "\(rows)")
        #expect(lines.filter { ($0["msg"] as? String)?.hasPrefix("job finished") == true && $0["level"] as? String == "info" }.count == 1)
        let quiet = await world.run(["jobs", "reap", "--now", "2026-03-02T10:05:00Z", "--log-format", "json"])
        #expect(!quiet.standardError.contains("row changed"), "at info there is only the summary")
    }
}
