import Foundation
import LocalServices
import Testing

/// `probe ice --record` against a real coturn, and what the browser and `diagnose db` make of
/// the recorded health: no record, healthy, failing (the relay is still offered when it is the
/// only one, with a warning), stale; a failing server among healthy ones is left out.
@Suite("ICE server health reaches the browser", .serialized)
struct IceHealthTests {
    private func iceServers(_ s: RouterWorld) async throws -> [String: Any] {
        let answer = try await s.get(try s.appointment(), "/ice-servers", as: s.patient)
        #expect(answer.status == 200, "\(answer.text)")
        return answer.json
    }

    private func statuses(_ answer: [String: Any]) -> [String] {
        (answer["health"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
    }

    @Test("unchecked, then ok, then coturn stopped: critical with a warning since when; then stale; diagnose db says each")
    func lifecycle() async throws {
        let secret = "ice-health-tests-secret-4410"
        let coturn = try ThrowawayCoturn(authentication: .sharedSecret(secret))
        defer { coturn.stop() }
        let uri = coturn.uri("turn", "udp")
        try await RouterWorld.test(environment: ["CALLCTL_ICE_SERVERS": uri, "CALLCTL_TURN_SECRET": secret]) { s in
            let url = s.world.database.connectionString
            let unchecked = try await iceServers(s)
            #expect(statuses(unchecked) == ["unchecked"] && (unchecked["warning"] as? String)?.contains("never checked") == true,
                    "\(unchecked)")
            let probe = { try ProbeCLI.run(["ice", "--uri", uri, "--secret", secret, "--timeout", "2", "--record", "--database-url", url]) }
            let healthy = try probe()
            #expect(healthy.status == 0, "\(healthy.stdout)\(healthy.stderr)")
            let ok = try await iceServers(s)
            #expect(statuses(ok) == ["ok"] && ok["warning"] is NSNull, "\(ok)")
            #expect(await s.world.run(["diagnose", "db", "--format", "json"]).standardOutput.contains("\"ice_servers\""))

            coturn.stop()
            let failing = try probe()
            #expect(failing.status == 2, "\(failing.stdout)\(failing.stderr)")
            let down = try await iceServers(s)
            #expect(statuses(down) == ["critical"], "\(down)")
            #expect((down["warning"] as? String)?.hasPrefix("relay unavailable since") == true, "\(down)")
            #expect((down["iceServers"] as? [[String: Any]])?.count == 1, "the only relay is still offered: \(down)")
            let verdict = await s.world.run(["diagnose", "db"])
            #expect(verdict.status == 1 && verdict.standardOutput.contains("ICE server \(uri) is failing since"), "\(verdict.standardOutput)")

            try s.world.connection.query("UPDATE ice_server_health SET checked_at = checked_at - interval '10 minutes'")
            let stale = try await iceServers(s)
            #expect(statuses(stale) == ["stale"] && (stale["warning"] as? String)?.contains("relay health unknown: last checked") == true,
                    "\(stale)")
            let staleVerdict = await s.world.run(["diagnose", "db"])
            #expect(staleVerdict.standardOutput.contains("is the `callctl probe ice --record` cron running?"), "\(staleVerdict.standardOutput)")
        }
    }

    @Test("a failing relay among healthy ones is left out, without a warning")
    func failingLeftOut() async throws {
        let (up, down) = ("turn:127.0.0.1:3478", "turn:127.0.0.1:3479")
        try await RouterWorld.test(environment: ["CALLCTL_ICE_SERVERS": "\(up), \(down)", "CALLCTL_TURN_SECRET": "ice-health-tests-secret-2"]) { s in
            try s.world.connection.query("""
                INSERT INTO ice_server_health (uri, status, detail, checked_at, failing_since)
                VALUES ($1, 'ok', NULL, now(), NULL), ($2, 'critical', 'timeout', now(), now() - interval '3 minutes')
                """, up, down)
            let answer = try await iceServers(s)
            #expect((answer["iceServers"] as? [[String: Any]])?.first?["urls"] as? [String] == [up], "\(answer)")
            #expect(answer["warning"] is NSNull && statuses(answer) == ["ok", "critical"], "\(answer)")
        }
    }
}
