import Foundation
import Testing

/// The Pusher protocol 7 hub of `callctl serve` as a browser meets it, judged by the
/// `websockets` Python client: handshake, ping, subscriptions and signatures, bad input
/// (the connection survives), client events, refusals that close, graceful shutdown, pruning.
@Suite("callctl serve: Pusher WebSocket hub", .serialized)
struct HubProtocolTests {
    @Test("handshake, ping, subscriptions, signatures and bad input; errors keep the connection open")
    func protocolRules() throws {
        let s = try ServeWorld()
        let out = try HubPeer.run("protocol", [s.server])
        let established = try #require(out[path: "established.data"] as? [String: Any])
        #expect((established["socket_id"] as? String)?.wholeMatch(of: /\d+\.\d+/) != nil)
        #expect(established["activity_timeout"] as? Int == 120)
        #expect(out["pong"] as? String == "pusher:pong")
        for key in ["malformed", "oversized", "unknown", "array", "client_public", "client_unsubscribed", "bad_name",
                    "presence_no_data"] {
            #expect(out[path: "\(key).event"] as? String == "pusher:error", "\(key): \(out[key] ?? "nil")")
        }
        #expect((out[path: "oversized.data.message"] as? String)?.contains("10240-byte limit") == true)
        #expect(out[path: "public.event"] as? String == "pusher_internal:subscription_succeeded")
        for key in ["private_unsigned", "private_wrong", "private_other_socket"] {
            #expect(out[path: "\(key).data.code"] as? Int == 4009, "\(key): \(out[key] ?? "nil")")
        }
        #expect(out[path: "private.event"] as? String == "pusher_internal:subscription_succeeded")
        #expect(out[path: "signin.event"] as? String == "pusher:signin_success")
        #expect(out[path: "signin_wrong.data.code"] as? Int == 4009)
        #expect(out["alive_after_errors"] as? String == "pusher:pong")
    }

    @Test("unknown app key 4001, unsupported protocol 4007, disallowed origin 4009: error, then close with that code")
    func refusals() throws {
        let s = try ServeWorld(["--allowed-origin", "https://app.example.test"])
        let unknown = try HubPeer.run("refused", [s.server], ["use_key": "nope", "origin": "https://app.example.test"])
        #expect(unknown["code"] as? Int == 4001)
        #expect(unknown[path: "first.data.code"] as? Int == 4001)
        #expect((unknown[path: "first.data.message"] as? String)?.contains("app key nope") == true)
        let version = try HubPeer.run("refused", [s.server], ["query": "?protocol=99", "origin": "https://app.example.test"])
        #expect(version["code"] as? Int == 4007)
        let origin = try HubPeer.run("refused", [s.server], ["origin": "https://evil.example.test"])
        #expect(origin["code"] as? Int == 4009)
        let allowed = try HubPeer.run("refused", [s.server], ["origin": "https://app.example.test"])
        #expect(allowed[path: "first.event"] as? String == "pusher:connection_established")
    }

    @Test("presence member limit: subscription_error LimitReached; connection limit: 4004 and close")
    func limits() throws {
        let s = try ServeWorld(["--presence-limit", "1", "--max-connections", "2"])
        let out = try HubPeer.run("limits", [s.server])
        #expect(out["joined"] as? String == "pusher_internal:subscription_succeeded")
        #expect(out[path: "full.event"] as? String == "pusher:subscription_error")
        #expect(out[path: "full.data.type"] as? String == "LimitReached")
        #expect(out[path: "full.data.status"] as? Int == 403)
        #expect(out[path: "third_first.data.code"] as? Int == 4004)
        #expect(out["third_code"] as? Int == 4004)
    }

    @Test("apps: missing REVERB_APP_SECRET exits 78 naming it; CALLCTL_PUSHER_APPS hosts several apps")
    func apps() throws {
        let world = try JobsWorld()
        let missing = try ServeProcess.refusal(world.database, environment: ["REVERB_APP_SECRET": nil])
        #expect(missing.status == 78)
        #expect(missing.standardError.contains("REVERB_APP_SECRET"))
        let folder = try makeScratchDirectory("callctl-apps")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("apps.json")
        try Data(#"[{"id": "1", "key": "first-key", "secret": "first-secret-0001"}, {"id": "2", "key": "second-key", "secret": "second-secret-0002"}]"#.utf8)
            .write(to: file)
        let server = try ServeProcess.start(world.database, environment: ["CALLCTL_PUSHER_APPS": file.path])
        defer { _ = try? server.stop() }
        let second = try HubPeer.run("refused", [server], ["use_key": "second-key"])
        #expect(second[path: "first.event"] as? String == "pusher:connection_established")
        let reverb = try HubPeer.run("refused", [server], ["use_key": ServeProcess.appKey])
        #expect(reverb["code"] as? Int == 4001)
        #expect(!server.standardError.contains("second-secret-0002"))
    }

    @Test("client events reach the others, not the sender; rate limited with 4301; presence adds user_id")
    func clientEvents() throws {
        let s = try ServeWorld(["--client-event-rate", "10"])
        let out = try HubPeer.run("client_events", [s.server])
        #expect(out[path: "received.data.x"] as? Int == 1)
        #expect((out["echoed"] as? [String])?.isEmpty == true)
        let limited = try #require(out["rate_errors"] as? [Int])
        #expect(!limited.isEmpty && limited.allSatisfy { $0 == 4301 }, "\(limited)")
        #expect(out["burst_delivered"] as? Int == 25 - limited.count)
        #expect(out[path: "presence_event.user_id"] as? String == "5")
    }

    @Test("SIGTERM closes WebSockets with 4200 and the daemon exits 0")
    func gracefulShutdown() throws {
        let s = try ServeWorld()
        let out = try HubPeer.run("shutdown", [s.server], ["pid": Int(s.server.pid)])
        #expect(out["code"] as? Int == 4200)
        #expect(try s.server.stop().status == 0)
    }

    @Test("a client that does not answer the server's ping is closed with 4201")
    func pongTimeout() throws {
        let s = try ServeWorld(["--activity-timeout", "5", "--pong-timeout", "1"])
        let out = try HubPeer.run("silent", [s.server], ["wait": 15])
        #expect(out["code"] as? Int == 4201)
        #expect((out["seen"] as? [String])?.contains("pusher:ping") == true)
        let seconds = try #require(out["seconds"] as? Double)
        #expect(seconds >= 5 && seconds < 10, "closed after \(seconds) s")
    }
}

/// Several daemons on one database, and the events of the call lifecycle: what one daemon
/// triggers or relays reaches the subscribers of all, and presence is one list for all.
@Suite("callctl serve: hub fan-out, presence and relayed events", .serialized)
struct HubFanoutTests {
    @Test("presence: one member per user however many tabs, member_added/removed once, users listed by the API")
    func presence() throws {
        let s = try ServeWorld()
        try checkPresence(try HubPeer.run("presence", [s.server]))
    }

    @Test("two daemons: presence spans both, events triggered on one reach subscribers of the other")
    func twoDaemons() throws {
        let s = try ServeWorld()
        let second = try ServeProcess.start(s.world.database)
        defer { _ = try? second.stop() }
        try checkPresence(try HubPeer.run("presence", [s.server, second]))
        let out = try HubPeer.run("trigger", [s.server, second], ["rounds": 10])
        #expect((out["latencies_ms"] as? [Double])?.count == 10)
        #expect(out[path: "excluded_to_b.x"] as? Int == 1)
        #expect((out["a_saw"] as? [String])?.contains("not-for-a") == false)
        #expect(out["batch"] as? [Int] == [0, 1, 2])
        #expect(out[path: "info.subscription_count"] as? Int == 2)
    }

    @Test("a lifecycle request reaches the appointment channel's subscriber through the outbox relay, authorized by /broadcasting/auth")
    func lifecycleEvent() throws {
        let s = try ServeWorld()
        let second = try ServeProcess.start(s.world.database)
        defer { _ = try? second.stop() }
        let appointment = try s.appointment()
        let out = try HubPeer.run("lifecycle", [s.server, second], [
            "appointment": Int(appointment), "token": try s.token(s.doctor), "event": ServeWorld.event("CallRequested"),
        ])
        #expect(out["subscribed"] as? String == "pusher_internal:subscription_succeeded")
        let callId = try #require(out[path: "answer.callId"] as? String)
        #expect(out[path: "event.channel"] as? String == "private-appointments.\(appointment)")
        #expect(out[path: "event.data.callId"] as? String == callId)
        #expect(out[path: "event.data.peerId"] as? String == "peer-hub-1")
        #expect(try s.world.value("SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL AND published_at IS NOT NULL") == "1")
    }

    private func checkPresence(_ out: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(out[path: "first.presence.ids"] as? [String] == ["1"], sourceLocation: sourceLocation)
        #expect(out[path: "second.presence.count"] as? Int == 2, sourceLocation: sourceLocation)
        #expect(out[path: "second.presence.hash.1.name"] as? String == "Doc", sourceLocation: sourceLocation)
        #expect(out[path: "first_heard.user_id"] as? String == "2", sourceLocation: sourceLocation)
        #expect(out[path: "second_tab.presence.count"] as? Int == 2, sourceLocation: sourceLocation)
        #expect((out["after_second_tab"] as? [String])?.isEmpty == true, "\(out)", sourceLocation: sourceLocation)
        #expect((out["after_first_tab_left"] as? [String])?.isEmpty == true, "\(out)", sourceLocation: sourceLocation)
        #expect(out[path: "after_both_left.user_id"] as? String == "1", sourceLocation: sourceLocation)
        let users = (out[path: "users.users"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(users?.sorted() == ["1", "2"], "\(out["users"] ?? "nil")", sourceLocation: sourceLocation)
        #expect((out[path: "users_after.users"] as? [[String: Any]])?.count == 1, sourceLocation: sourceLocation)
    }
}
