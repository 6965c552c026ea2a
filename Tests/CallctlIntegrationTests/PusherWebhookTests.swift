import Foundation
import Testing

/// Pusher webhooks to the app (docs/design.md, "Webhooks"), judged by a loopback receiver
/// that validates every request with the official `pusher` library: occupancy decided once
/// across daemons, presence members, client events, kinds filtered per URL, and nothing lost
/// while the app is down.
@Suite("callctl serve: Pusher webhooks to the app", .serialized)
struct PusherWebhookTests {
    static let channels: [String: String] = ["public": "room-7", "private": "private-chat-7", "presence": "presence-room-7"]

    /// hub_peer.py's arguments for `rounds` rounds of the `webhooks` scenario.
    static func scenario(rounds: Int = 1) -> [String: Any] {
        (channels as [String: Any]).merging(["rounds": rounds]) { $1 }
    }

    /// What one round of hub_peer.py's `webhooks` scenario must produce, per channel, in order.
    static let round: [String: [String]] = [
        "room-7": ["channel_occupied room-7", "channel_vacated room-7"],
        "private-chat-7": ["channel_occupied private-chat-7", "client_event private-chat-7 client-typing",
                           "channel_vacated private-chat-7"],
        "presence-room-7": ["channel_occupied presence-room-7", "member_added presence-room-7 1", "member_added presence-room-7 2",
                            "client_event presence-room-7 client-typing", "member_removed presence-room-7 2",
                            "member_removed presence-room-7 1", "channel_vacated presence-room-7"],
    ]

    /// The events `receiver` got, per channel in the order received.
    static func perChannel(_ receiver: WebhookReceiver) -> [String: [String]] {
        Dictionary(grouping: receiver.events) { String($0.split(separator: " ")[1]) }
    }

    static func expected(rounds: Int) -> [String: [String]] {
        round.mapValues { sequence in Array((0..<rounds).map { _ in sequence }.joined()) }
    }

    static func environment(_ urls: String) -> [String: String?] {
        ["CALLCTL_WEBHOOK_URLS": urls]
    }

    /// Every request valid per the `pusher` library, JSON, signed for the serve tests' app.
    static func expectSigned(_ receiver: WebhookReceiver, sourceLocation: SourceLocation = #_sourceLocation) {
        let requests = receiver.received
        #expect(!requests.isEmpty, sourceLocation: sourceLocation)
        #expect(requests.allSatisfy { $0.valid }, "a request failed pusher.validate_webhook", sourceLocation: sourceLocation)
        #expect(requests.allSatisfy { $0.key == ServeProcess.appKey && $0.contentType == "application/json" },
                sourceLocation: sourceLocation)
    }

    @Test("one daemon: occupied and vacated once per channel, members once per user, client events with socket and user; a URL gets only its kinds")
    func oneDaemon() throws {
        let all = try WebhookReceiver()
        let occupancy = try WebhookReceiver()
        let s = try ServeWorld(environment: Self.environment("\(all.url), channel_occupied+channel_vacated=\(occupancy.url)"))
        let out = try HubPeer.run("webhooks", [s.server], Self.scenario())
        let expected = Self.expected(rounds: 1)
        #expect(eventually(within: 10) { Self.perChannel(all) == expected }, "\(Self.perChannel(all))")
        #expect(eventually(within: 10) { occupancy.events.count == 6 }, "\(occupancy.events)")
        Thread.sleep(forTimeInterval: 1)
        #expect(Self.perChannel(all) == expected, "more arrived: \(all.events)")
        #expect(occupancy.events.allSatisfy { $0.hasPrefix("channel_") } && occupancy.events.count == 6, "\(occupancy.events)")
        Self.expectSigned(all)
        Self.expectSigned(occupancy)
        let clientEvents = all.received.flatMap(\.events).filter { $0["name"] as? String == "client_event" }
        let onPrivate = clientEvents.first { $0["channel"] as? String == "private-chat-7" }
        let onPresence = clientEvents.first { $0["channel"] as? String == "presence-room-7" }
        #expect(onPrivate?["socket_id"] as? String == out["a"] as? String && onPrivate?["user_id"] == nil, "\(clientEvents)")
        #expect(onPrivate?["data"] as? String == #"{"typing":true}"#, "\(clientEvents)")
        #expect(onPresence?["socket_id"] as? String == out["b"] as? String && onPresence?["user_id"] as? String == "2",
                "\(clientEvents)")
        #expect(try s.world.count("SELECT count(*) FROM webhook_events") == 0, "delivered rows are deleted")
    }

    @Test("two daemons on one database: each channel's occupancy and each member is announced once, whichever daemon decided it")
    func twoDaemons() throws {
        let receiver = try WebhookReceiver()
        let s = try ServeWorld(environment: Self.environment(receiver.url))
        let second = try ServeProcess.start(s.world.database, [], environment: Self.environment(receiver.url))
        defer { _ = try? second.stop() }
        _ = try HubPeer.run("webhooks", [s.server, second], Self.scenario(rounds: 2))
        let expected = Self.expected(rounds: 2)
        #expect(eventually(within: 10) { Self.perChannel(receiver) == expected }, "\(Self.perChannel(receiver))")
        Thread.sleep(forTimeInterval: 1)
        #expect(Self.perChannel(receiver) == expected, "more arrived: \(receiver.events)")
        Self.expectSigned(receiver)
    }

    @Test("the app is down for 30 s: every event waits, outbox status shows the backlog and the failing URL, then each arrives once and in order")
    func appDown() async throws {
        let first = try WebhookReceiver()
        let port = first.port
        let url = first.url
        first.stop()
        let s = try ServeWorld(environment: Self.environment(url + "?token=hidden-77"))
        _ = try HubPeer.run("webhooks", [s.server], Self.scenario(rounds: 3))
        #expect(eventually(within: 10) { (try? s.world.count("SELECT count(*) FROM webhook_events")) == 36 })
        let status = await InProcess.run(["outbox", "status", "--format", "json", "--database-url", s.world.database.connectionString])
        let hooks = try #require((try? status.json())?["webhooks"] as? [[String: Any]], "\(status.standardOutput)")
        #expect(hooks.count == 1 && hooks.first?["pending"] as? Int == 36, "\(hooks)")
        #expect((hooks.first?["attempts"] as? Int ?? 0) > 0 && (hooks.first?["last_error"] as? String)?.contains("nothing accepts") == true,
                "\(hooks)")
        #expect(!status.standardOutput.contains("hidden-77") && !status.standardOutput.contains(ServeProcess.appSecret))
        let text = await InProcess.run(["outbox", "status", "--database-url", s.world.database.connectionString])
        #expect(text.standardOutput.contains("\(url)?…: 36 pending") && text.standardOutput.contains("FAILING since"),
                "\(text.standardOutput)")
        #expect(!text.standardOutput.contains("hidden-77"))
        try await Task.sleep(for: .seconds(30))
        let receiver = try WebhookReceiver(port: port)
        let expected = Self.expected(rounds: 3)
        // The URL rests 1, 2, 4, 8, 16, 32, 64 … s after its failures, so how long the outage
        // really lasted (a loaded machine stretches it) decides the next attempt: wait for the one
        // the database names, plus a margin for the delivery.
        let rest = Double(try s.world.value("SELECT greatest(0, extract(epoch FROM next_attempt_at - now()))::text FROM webhook_targets")
            ?? "") ?? 300
        #expect(eventually(within: rest + 30) { Self.perChannel(receiver) == expected }, "\(Self.perChannel(receiver))")
        try await Task.sleep(for: .seconds(1))
        #expect(Self.perChannel(receiver) == expected, "more arrived: \(receiver.events)")
        Self.expectSigned(receiver)
        // Each event carries its own callctl_event_id (an app that lost an answer dedupes on it).
        let ids = receiver.received.flatMap(\.events).compactMap { $0["callctl_event_id"] as? String }
        #expect(ids.count == 36 && Set(ids).count == 36, "\(ids)")
        #expect(try s.world.count("SELECT count(*) FROM webhook_events") == 0)
        #expect(try s.world.count("SELECT count(*) FROM webhook_targets WHERE attempts = 0 AND last_error IS NULL") == 1)
        let ending = try s.server.stop()
        #expect(!ending.standardError.contains("hidden-77") && !ending.standardError.contains(ServeProcess.appSecret))
    }

    @Test("a bad CALLCTL_WEBHOOK_URLS or CALLCTL_WEBHOOK_MAX_PENDING keeps the daemon from starting: 78 with the form",
          arguments: ["ftp://app.example/hook", "member_joined=https://app.example/hook", "https://u:pw-77@app.example/hook",
                      "https://app.example/a,,https://app.example/b", "app:nope=https://app.example/hook"])
    func invalid(_ urls: String) throws {
        let database = try TestDatabase()
        _ = try database.migrated()
        let ending = try ServeProcess.refusal(database, environment: Self.environment(urls))
        #expect(ending.status == 78, "\(ending.standardError)")
        #expect(ending.standardError.contains("CALLCTL_WEBHOOK_URLS must list"), "\(ending.standardError)")
        #expect(!ending.standardError.contains("pw-77"))
        let pending = try ServeProcess.refusal(database, environment: ["CALLCTL_WEBHOOK_URLS": "https://app.example/hook",
                                                                       "CALLCTL_WEBHOOK_MAX_PENDING": "5"])
        #expect(pending.status == 78 && pending.standardError.contains("CALLCTL_WEBHOOK_MAX_PENDING"), "\(pending.standardError)")
    }
}
