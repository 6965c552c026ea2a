import Foundation
import Testing

/// Tenant chat and notifications through a real `callctl serve` with a clinic's own channel
/// rules, judged by two third-party Pusher protocol-7 client libraries acting as two browsers
/// (`asyncpusher` and `sockudo-python`, scripted by `Peers/chat_peers.py`), while the app
/// broadcasts with the official `pusher` library.
@Suite("tenant chat and notifications, judged by asyncpusher and sockudo-python", .serialized)
struct ChatJudgeTests {
    static let rules = """
        # A clinic whose Laravel app names its channels itself (issue 20).
        private-chat.general.{tenant}                 tenant(tenant)
        private-user-{user}-notifications             user(user)
        private-tenant.{tenant}.*                     tenant(tenant)
        private-App.Models.User.{user}                user(user)
        private-appointments.{appointment}            participant(appointment)
        private-users.{user}                          user(user)
        presence-tenant.{tenant}.editing.{type}.{id}  tenant(tenant)
        """

    /// A daemon started on the rules above (stored before it starts, so start-up validates
    /// them), the clinic's doctor (browser a) and patient (browser b) and a user of another tenant.
    struct Chat {
        let s: ServeWorld
        let tenant: Int64
        let stranger: Int64

        init(label: String = #function) throws {
            s = try ServeWorld(label: label) { try ChannelRulesServeTests.store(ChatJudgeTests.rules, in: $0) }
            let clinic = try ChannelAuthTests.Clinic(s)
            (tenant, stranger) = (clinic.tenant, clinic.stranger)
        }

        /// Runs `chat_peers.py scenario` against the daemon with the three users' tokens.
        func peers(_ scenario: String, _ arguments: [String: Any]) throws -> [String: Any] {
            var all: [String: Any] = [
                "port": s.server.port, "app_id": ServeProcess.appID, "key": ServeProcess.appKey, "secret": ServeProcess.appSecret,
                "tokens": ["a": try s.token(s.doctor), "b": try s.token(s.patient), "stranger": try s.token(stranger)],
            ]
            all.merge(arguments) { $1 }
            return try HubPeer.script("chat_peers.py", scenario, all, [s.server])
        }
    }

    /// The events a browser saw on `channel` named `event`, as their data objects.
    static func seen(_ report: Any?, _ event: String, on channel: String? = nil) -> [[String: Any]] {
        ((report as? [String: Any])?["seen"] as? [[String: Any]] ?? [])
            .filter { $0["event"] as? String == event && (channel == nil || $0["channel"] as? String == channel) }
            .map { $0["data"] as? [String: Any] ?? [:] }
    }

    /// What a browser's library reported for its subscription to `channel`.
    static func subscription(_ report: Any?, _ channel: String) -> [String: Any] {
        ((report as? [String: Any])?["subscriptions"] as? [String: Any])?[channel] as? [String: Any] ?? [:]
    }

    @Test("the rule set loads: `channels rules check` accepts it, and an overlapping pattern is refused as ambiguous")
    func rulesLoad() async throws {
        let world = try JobsWorld()
        let directory = try makeScratchDirectory("chat-rules")
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("chat.rules").path
        let ambiguous = directory.appendingPathComponent("ambiguous.rules").path
        try Self.rules.write(toFile: good, atomically: true, encoding: .utf8)
        try (Self.rules + "\nprivate-chat.{room}.{tenant} tenant(tenant)\n").write(toFile: ambiguous, atomically: true, encoding: .utf8)
        let check = await world.run(["channels", "rules", "check", good])
        #expect(check.status == 0, "\(check.output)")
        // docs/laravel.md's "Chat and notifications" set loads too.
        let guide = try String(contentsOf: LaravelGuideTests.guide, encoding: .utf8)
        let documented = try #require(guide.components(separatedBy: "```text\n").dropFirst()
            .compactMap { $0.components(separatedBy: "\n```").first }.first { $0.contains("private-chat.general.{tenant}") })
        let guidePath = directory.appendingPathComponent("guide.rules").path
        try documented.write(toFile: guidePath, atomically: true, encoding: .utf8)
        let guideCheck = await world.run(["channels", "rules", "check", guidePath])
        #expect(guideCheck.status == 0, "\(guideCheck.output)")
        let refused = await world.run(["channels", "rules", "check", ambiguous])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.standardOutput.contains("line 2") && refused.standardOutput.contains("line 9"), "\(refused.output)")
    }

    @Test("chat: a's typing whisper reaches b only, b's reaches a only, the app's message reaches both; another tenant is refused")
    func chat() throws {
        let chat = try Chat()
        let channel = "private-chat.general.\(chat.tenant)"
        let out = try chat.peers("chat", ["channel": channel])
        let (a, b) = (out["a"], out["b"])
        #expect(Self.subscription(a, channel)["state"] as? String == "SUBSCRIBED", "\(out)")
        #expect(Self.subscription(b, channel)["state"] as? String == "SUBSCRIBED", "\(out)")
        // Client events go to the other members, never back to the sender.
        #expect(Self.seen(b, "client-typing", on: channel).map { texts($0) ?? [:] } == [["user": "a", "typing": "1"]], "\(out)")
        #expect(Self.seen(a, "client-typing", on: channel).map { texts($0) ?? [:] } == [["user": "b", "typing": "1"]], "\(out)")
        // The app's message (POST /apps/{id}/events, signed by the official library) reaches both, once.
        for report in [a, b] {
            #expect(Self.seen(report, "chat.message", on: channel).map { texts($0) ?? [:] } == [["from": "a", "text": "Hallo"]], "\(out)")
        }
        // The other tenant's user: sockudo-python's own auth request reports the 403 as a subscription error…
        let viaSockudo = Self.subscription(out["stranger_sockudo"], channel)
        #expect(viaSockudo["state"] as? String == "FAILED", "\(out)")
        #expect((viaSockudo["error"] as? [String: Any])?["type"] as? String == "AuthError", "\(out)")
        #expect(((viaSockudo["error"] as? [String: Any])?["error"] as? String)?.contains("403") == true, "\(out)")
        // …asyncpusher's callback gets 403 wrong_tenant, and a subscription with a made-up signature gets the hub's
        // pusher:error 4009 (as Reverb answers), never subscription_succeeded.
        let viaAsync = Self.subscription(out["stranger_asyncpusher"], channel)
        #expect(viaAsync["auth_status"] as? Int == 403 && viaAsync["reason"] as? String == "wrong_tenant", "\(out)")
        let hubError = Self.seen(out["stranger_asyncpusher"], "pusher:error")
        #expect(hubError.count == 1 && hubError.first?["code"] as? Int == 4009, "\(out)")
        #expect((hubError.first?["message"] as? String)?.hasPrefix("Invalid signature for \(channel):") == true, "\(out)")
        #expect(viaAsync["state"] as? String == "UNSUBSCRIBED", "\(out)")
        for stranger in [out["stranger_sockudo"], out["stranger_asyncpusher"]] {
            #expect(Self.seen(stranger, "chat.message").isEmpty && Self.seen(stranger, "client-typing").isEmpty, "\(out)")
        }
    }

    @Test("notifications: the tenant's channel reaches both users; each user's two channels reach only that user, the other is refused")
    func notifications() throws {
        let chat = try Chat()
        let (a, b) = (chat.s.doctor, chat.s.patient)
        let tenantChannel = "private-tenant.\(chat.tenant).notifications"
        let own = ["a": ["private-App.Models.User.\(a)", "private-user-\(a)-notifications"],
                   "b": ["private-App.Models.User.\(b)", "private-user-\(b)-notifications"]]
        let out = try chat.peers("notifications", ["tenant_channel": tenantChannel, "own": own])
        for (name, other) in [("a", "b"), ("b", "a")] {
            let report = out[name]
            for channel in [tenantChannel] + own[name]! {
                #expect(Self.subscription(report, channel)["state"] as? String == "SUBSCRIBED", "\(name) \(channel): \(out)")
            }
            // What each browser heard: the tenant's notice, and Laravel's notification event on its own two channels, each once.
            #expect(Self.seen(report, "notice").compactMap { $0["to"] as? String } == ["tenant"], "\(name): \(out)")
            let notified = Self.seen(report, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated")
            #expect(notified.compactMap { $0["to"] as? String }.sorted() == own[name]!.sorted(), "\(name): \(out)")
            for channel in own[other]! {
                let refused = Self.subscription(report, channel)
                if name == "a" { // asyncpusher: its auth callback saw the refusal
                    #expect(refused["auth_status"] as? Int == 403 && refused["reason"] as? String == "not_participant",
                            "\(channel): \(out)")
                    #expect((refused["state"] as? String)?.hasPrefix("refused") == true, "\(channel): \(out)")
                } else { // sockudo-python: a subscription error from its auth request
                    #expect(refused["state"] as? String == "FAILED", "\(channel): \(out)")
                    #expect(((refused["error"] as? [String: Any])?["error"] as? String)?.contains("403") == true, "\(channel): \(out)")
                }
            }
        }
    }
}
