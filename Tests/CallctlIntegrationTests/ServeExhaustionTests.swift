import Foundation
import Testing

/// What one client can take from a daemon: channels per connection, subscriptions per second,
/// connections per address (counted by the forwarded address only behind a trusted proxy), and
/// database connections (a bounded wait, then 503 `overloaded`, instead of an endless queue).
@Suite("callctl serve: bounds on what one client can take", .serialized)
struct ServeExhaustionTests {
    @Test("--max-channels 3 --subscribe-rate 5: three subscribed, two LimitReached, three 4301; the connection survives")
    func channelBounds() throws {
        let s = try ServeWorld(["--max-channels", "3", "--subscribe-rate", "5"])
        let out = try HubPeer.run("bounds", [s.server])
        let succeeded = "pusher_internal:subscription_succeeded", limited = "pusher:subscription_error"
        #expect(out["answers"] as? [String] == [succeeded, succeeded, succeeded, limited, limited, "error 4301", "error 4301", "error 4301"],
                "\(out)")
        #expect(out["after_unsubscribe"] as? String == succeeded, "\(out)")
        #expect(out["alive"] as? String == "pusher:pong")
        #expect(try s.world.count("SELECT count(*) FROM hub_subscriptions") <= 3)
    }

    @Test("--max-connections-per-ip 2: the third connection from one address gets 4004; X-Forwarded-For counts only behind --trusted-proxy")
    func connectionsPerAddress() throws {
        let direct = try ServeWorld(["--max-connections-per-ip", "2"], label: "per-address-direct")
        let spoofed = try HubPeer.run("per_address", [direct.server], ["forwarded": ["198.51.100.1", "198.51.100.2", "198.51.100.3"]])
        #expect(spoofed["outcomes"] as? [String] == ["open", "open", "4004 4004"], "a forged X-Forwarded-For must not count: \(spoofed)")

        let proxied = try ServeWorld(["--max-connections-per-ip", "2", "--trusted-proxy", "127.0.0.0/8"], label: "per-address-proxied")
        let out = try HubPeer.run("per_address", [proxied.server], ["forwarded": [
            "198.51.100.1", "203.0.113.9, 198.51.100.1", "198.51.100.1", "198.51.100.2", "",
        ]])
        #expect(out["outcomes"] as? [String] == ["open", "open", "4004 4004", "open", "open"], "\(out)")
        #expect(proxied.server.standardError.contains("198.51.100.1"), "the refusal names the client address")
    }

    @Test("a public subscription's row is written by the next batch without any channel query; --message-rate 20: the 21st message in a second closes with 4100, and the row goes")
    func batchedRowsAndMessageRate() throws {
        let s = try ServeWorld(["--message-rate", "20"])
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("chatter-\(UUID().uuidString)").path
        defer { for suffix in [".ready", ".go"] { try? FileManager.default.removeItem(atPath: gate + suffix) } }
        let server = s.server
        let peer = BackgroundValue { Result { try HubPeer.run("chatter", [server], ["messages": 40, "gate": gate]) } }
        #expect(eventually { FileManager.default.fileExists(atPath: gate + ".ready") })
        // No channel query flushes it: only the periodic flush can write the row (nothing else will while the peer waits).
        #expect(try eventually { try s.world.count("SELECT count(*) FROM hub_subscriptions WHERE channel = 'public-chatter'") == 1 })
        FileManager.default.createFile(atPath: gate + ".go", contents: nil)
        let out = try #require(peer.value()).get()
        #expect(out["code"] as? Int == 4100, "\(out)")
        #expect((out["pongs"] as? Int ?? 99) < 20, "\(out)")
        #expect(try eventually { try s.world.count("SELECT count(*) FROM hub_subscriptions") == 0 })
    }

    @Test("new connections from one address are paced: past a burst of 20 (twice --max-connections-per-ip 2, at least 20) the upgrade gets 429 rate_limited as JSON, before any WebSocket work")
    func connectionAttemptsPaced() throws {
        let s = try ServeWorld(["--max-connections-per-ip", "2"])
        var statuses: [Int] = []
        let started = Date()
        for _ in 0..<60 {
            let connection = try RawConnection(port: s.server.port)
            connection.send(RawConnection.upgradeRequest())
            let response = connection.readResponse()
            statuses.append(response?.status ?? -1)
            if response?.status == 429 {
                #expect(response?.json["reason"] as? String == "rate_limited", "\(response?.text ?? "")")
                #expect(response?.headers["retry-after"] != nil)
            }
        }
        let refill = Int(Date().timeIntervalSince(started) * 10) + 1
        #expect(statuses.prefix(20).allSatisfy { $0 == 101 }, "\(statuses)")
        #expect(Set(statuses) == [101, 429], "\(statuses)")
        #expect(statuses.filter { $0 == 101 }.count <= 20 + refill, "\(statuses)")
    }

    @Test("the audit IP is the forwarded client behind a trusted proxy, and the socket's peer otherwise")
    func auditAddress() throws {
        for (arguments, expected) in [([String](), "127.0.0.1"), (["--trusted-proxy", "127.0.0.1"], "198.51.100.7")] {
            let s = try ServeWorld(arguments, label: "audit-address-\(arguments.count)")
            let appointment = try s.appointment()
            let answer = try s.server.request("POST", "/appointments/\(appointment)/call/request", token: try s.token(s.doctor),
                                              json: [String: String](), headers: [("X-Forwarded-For", "198.51.100.7, 127.0.0.1")])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(try s.auditPayloads(appointment).first?["ip"] as? String == expected)
        }
    }

    @Test("a request that finds every pooled connection busy past --pool-timeout gets 503 overloaded with Retry-After; the held one completes")
    func poolTimeout() throws {
        let s = try ServeWorld(["--pool-size", "1", "--pool-timeout", "300"])
        let held = try s.appointment(), other = try s.appointment(patient: try s.person("patient").id)
        let blocker = try s.world.database.connect()
        try blocker.execute("BEGIN")
        try blocker.query("SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE", held)
        let server = s.server, token = try s.token(s.doctor)
        let first = BackgroundValue {
            try? server.request("POST", "/appointments/\(held)/call/request", token: token, json: [String: String]())
        }
        #expect(try eventually { try s.world.backendWaitingOnLock("%FROM appointments a%FOR UPDATE OF a%") != nil })
        let started = Date()
        let refused = try s.get(other, as: s.doctor)
        let waited = Date().timeIntervalSince(started)
        refused.expectError(503, "overloaded")
        #expect(refused.headers["retry-after"] == "1")
        #expect(waited >= 0.25 && waited < 5, "answered after \(waited) s")
        try blocker.execute("COMMIT")
        #expect(first.value()??.status == 200)
        #expect(try s.get(other, as: s.doctor).status == 200)
        #expect(!s.server.standardError.contains("request failed"), "overload is not logged as a failure")
    }
}
