import Foundation
import Testing

/// However a hub connection ends — clean close, TCP reset, protocol error, pong timeout, or a
/// database write that fails during the clean-up — its presence membership and its
/// `hub_subscriptions` rows go, and the other members hear `member_removed` exactly once.
@Suite("callctl serve: a connection's end removes its members and rows", .serialized)
struct HubDepartureTests {
    /// Checks what `departure` in hub_peer.py observed.
    private func expectDeparture(_ out: [String: Any], within seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(texts(out["removed"]) == ["user_id": "2"], "\(out)", sourceLocation: sourceLocation)
        #expect((out["seconds"] as? Double ?? 99) < seconds, "\(out)", sourceLocation: sourceLocation)
        #expect(out["after"] as? [String] == [], "member_removed more than once: \(out)", sourceLocation: sourceLocation)
        #expect(Self.userIDs(out["users"]) == ["1"], "\(out)", sourceLocation: sourceLocation)
        #expect(texts(out["rejoined"]) == ["user_id": "2"], "\(out)", sourceLocation: sourceLocation)
        #expect(texts(out["left"]) == ["user_id": "2"], "\(out)", sourceLocation: sourceLocation)
        #expect(out["after_left"] as? [String] == [], "\(out)", sourceLocation: sourceLocation)
        #expect(Self.userIDs(out["users_after"]) == ["1"], "\(out)", sourceLocation: sourceLocation)
    }

    private static func userIDs(_ answer: Any?) -> [String] {
        ((answer as? [String: Any])?["users"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    private func rows(_ s: ServeWorld) throws -> Int {
        try s.world.count("SELECT count(*) FROM hub_subscriptions")
    }

    @Test("a TCP reset, a clean close and a protocol error (a frame over the limit, 1009) each announce member_removed once and leave one row",
          arguments: ["reset", "close", "protocol"])
    func endings(_ ending: String) throws {
        let s = try ServeWorld(label: "departure-\(ending)")
        let out = try HubPeer.run("departure", [s.server], ["ending": ending])
        expectDeparture(out)
        if ending == "protocol" { #expect(out["patient_code"] as? Int == 1009, "\(out)") }
        #expect(try eventually(within: 5) { try rows(s) == 0 }, "rows are left")
    }

    @Test("a client that never answers pusher:ping is closed with 4201 and announced gone")
    func pongTimeout() throws {
        let s = try ServeWorld(["--activity-timeout", "5", "--pong-timeout", "1"])
        let out = try HubPeer.run("departure", [s.server], ["ending": "silent", "within": 15])
        expectDeparture(out, within: 15)
        #expect(out["patient_code"] as? Int == 4201, "\(out)")
    }

    @Test("twenty anonymous sockets on 50 public channels each reset: all 1,000 rows are gone")
    func resetFlood() throws {
        let s = try ServeWorld()
        let out = try HubPeer.run("reset_flood", [s.server], ["sockets": 20, "channels": 50])
        #expect((out["subscribed"] as? [String: Any])?["subscription_count"] as? Int == 1, "\(out)")
        #expect(try eventually(within: 10) { try rows(s) == 0 }, "rows are left")
        #expect(try s.server.request("GET", "/healthz").status == 200)
    }

    @Test("the clean-up's database write fails (its backend is terminated): the rows go with the next heartbeat, announced once")
    func failedCleanup() throws {
        let s = try ServeWorld()
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("departure-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: gate + ".ready")
            try? FileManager.default.removeItem(atPath: gate + ".go")
        }
        let server = s.server
        let peer = BackgroundValue { Result { try HubPeer.run("departure", [server], ["ending": "reset", "gate": gate, "within": 15]) } }
        #expect(eventually { FileManager.default.fileExists(atPath: gate + ".ready") })
        let blocker = try s.world.database.connect()
        try blocker.execute("BEGIN; LOCK TABLE hub_subscriptions IN ACCESS EXCLUSIVE MODE")
        FileManager.default.createFile(atPath: gate + ".go", contents: nil)
        var backend: Int32?
        #expect(try eventually { backend = try s.world.backendWaitingOnLock("%SELECT app_id, channel FROM hub_subscriptions WHERE daemon_id = $1 AND socket_id%"); return backend != nil })
        let pid = try #require(backend)
        try s.world.connection.query("SELECT pg_terminate_backend($1)", pid)
        #expect(eventually { s.server.standardError.contains("retrying with the next heartbeat") })
        try blocker.execute("ROLLBACK")
        let out = try #require(peer.value(within: 40)).get()
        expectDeparture(out, within: 8)
        #expect(try eventually(within: 5) { try rows(s) == 0 }, "rows are left")
    }
}
