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
