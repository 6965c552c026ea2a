import Foundation
import Testing

/// The edit lock (docs/design.md "Channels"): on a presence channel whose rule is `lock(…)`, the
/// earliest member across all daemons holds the lock; a second user is refused or watches, as
/// the rule says; the holder hears of every attempt; the lock passes on when the holder leaves,
/// disconnects or its daemon dies. Browsers are `websockets` clients (Peers/lock_peer.py)
/// authorized by the daemon's own `/broadcasting/auth` with the users' tokens.
@Suite("callctl serve: the edit lock", .serialized)
struct EditLockTests {
    /// A clinic with a daemon whose only rule makes its editing channels locks in `mode`, and
    /// its users: A (the doctor), B (another doctor), C (an admin), P (the patient).
    struct Clinic {
        let s: ServeWorld
        let channel: String
        let users: [String: Int64]

        init(_ mode: String, environment: [String: String?] = [:], label: String = #function) throws {
            s = try ServeWorld(environment: environment, label: label) {
                try ChannelRulesServeTests.store("presence-tenant.{tenant}.editing.{type}.{id}  lock(tenant, doctor, admin, \(mode))", in: $0)
            }
            let tenant = try s.world.connection.query("SELECT tenant_id FROM users WHERE id = $1", s.doctor).first!.decode(Int64.self, "tenant_id")
            channel = "presence-tenant.\(tenant).editing.note.5"
            users = ["A": s.doctor, "B": try s.person("doctor").userId, "C": try ChannelRulesServeTests.admin(of: tenant, in: s.world),
                     "P": s.patient]
        }

        /// The presence user id of user `name`.
        func id(_ name: String) -> String { String(users[name]!) }

        /// Runs `scenario` of `file` (Peers/) against `servers` (the clinic's daemon when empty).
        func run(_ scenario: String, _ servers: [ServeProcess] = [], _ arguments: [String: Any] = [:],
                 file: String = "lock_peer.py") throws -> [String: Any] {
            var all: [String: Any] = ["channel": channel, "users": try users.mapValues { ["id": Int($0), "token": try s.token($0)] }]
            all.merge(arguments) { $1 }
            return try HubPeer.run(scenario, servers.isEmpty ? [s.server] : servers, all, file: file)
        }
    }

    /// The names of `[event, data]` pairs.
    static func names(_ events: Any?) -> [String] {
        (events as? [[Any]] ?? []).compactMap { $0.first as? String }
    }

    /// The data of the first `[event, data]` pair named `name`.
    static func data(_ events: Any?, _ name: String) -> [String: Any] {
        (events as? [[Any]] ?? []).first { $0.first as? String == name }.flatMap { $0.last as? [String: Any] } ?? [:]
    }

    @Test("refuse: the first user holds; the same user's second tab joins; a second user is refused naming the holder, who hears of it; then holds once the first left",
          arguments: [1, 2])
    func refuse(_ daemons: Int) throws {
        let c = try Clinic("refuse", label: "lock-refuse-\(daemons)")
        let second = daemons == 2 ? try ServeProcess.start(c.s.world.database) : nil
        defer { _ = try? second?.stop() }
        let out = try c.run("refuse", [c.s.server] + (second.map { [$0] } ?? []))
        let (a, b) = (c.id("A"), c.id("B"))
        #expect(out[path: "a_joined.event"] as? String == "pusher_internal:subscription_succeeded", "\(out)")
        #expect(Self.names(out["a_events"]) == ["LockHeld", "LockAcquired"], "\(out)")
        let since = try #require(Self.data(out["a_events"], "LockHeld")["since"] as? String, "\(out)")
        #expect(Self.data(out["a_events"], "LockHeld")["holder"] as? String == a, "\(out)")
        #expect(texts(Self.data(out["a_events"], "LockAcquired")) == ["holder": a, "at": since], "\(out)")
        #expect(Self.names(out["a2_events"]) == ["LockHeld"], "\(out)")
        #expect(Self.names(out["a_after_second_tab"]) == [], "a second tab is the same member: \(out)")

        #expect(out[path: "b_refused.event"] as? String == "pusher:subscription_error", "\(out)")
        #expect(out[path: "b_refused.data.type"] as? String == "LockHeld", "\(out)")
        #expect(out[path: "b_refused.data.status"] as? Int == 409, "\(out)")
        #expect(out[path: "b_refused.data.holder"] as? String == a, "\(out)")
        #expect(out[path: "b_refused.data.since"] as? String == since, "\(out)")
        #expect(out[path: "b_refused.data.holderInfo.id"] as? Int == Int(a), "\(out)")
        #expect((out[path: "b_refused.data.error"] as? String)?.contains("held by user \(a) since \(since)") == true, "\(out)")
        #expect(Self.names(out["a_after_refusal"]) == ["LockContended"], "\(out)")
        let contended = Self.data(out["a_after_refusal"], "LockContended")
        #expect(contended["holder"] as? String == a && contended["by"] as? String == b && contended["outcome"] as? String == "refused",
                "\(out)")
        #expect(out["b_after_refusal"] as? [String] == [], "\(out)")
        #expect(out["users"] as? [String] == [a], "the refused user is no member: \(out)")

        #expect(out[path: "b_rejoined.event"] as? String == "pusher_internal:subscription_succeeded", "\(out)")
        #expect(Self.names(out["b_events"]) == ["LockHeld", "LockAcquired"], "\(out)")
        #expect(Self.data(out["b_events"], "LockAcquired")["holder"] as? String == b, "\(out)")
        #expect(try eventually(within: 5) { try c.s.world.count("SELECT count(*) FROM hub_subscriptions") == 0 }, "rows are left")
    }

    @Test("refuse with webhooks: the refused user is never a member, so the app hears member_added only for those admitted")
    func refuseWebhooks() throws {
        let receiver = try WebhookReceiver()
        let c = try Clinic("refuse", environment: PusherWebhookTests.environment(receiver.url))
        _ = try c.run("refuse")
        let (a, b, channel) = (c.id("A"), c.id("B"), c.channel)
        let expected = ["channel_occupied \(channel)", "member_added \(channel) \(a)", "member_removed \(channel) \(a)",
                        "channel_vacated \(channel)", "channel_occupied \(channel)", "member_added \(channel) \(b)",
                        "member_removed \(channel) \(b)", "channel_vacated \(channel)"]
        #expect(eventually(within: 10) { receiver.events == expected }, "\(receiver.events)")
        PusherWebhookTests.expectSigned(receiver)
    }

    /// Checks what `watch` in lock_peer.py observed: A holds, B and C watch, A's connection ends
    /// with `reason`, B takes the lock, B leaves, C takes it.
    private func expectWatch(_ out: [String: Any], _ c: Clinic, reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (a, b, cc) = (c.id("A"), c.id("B"), c.id("C"))
        #expect(Self.names(out["a_events"]) == ["LockHeld", "LockAcquired"], "\(out)", sourceLocation: sourceLocation)
        #expect(out[path: "b_joined.event"] as? String == "pusher_internal:subscription_succeeded", "\(out)", sourceLocation: sourceLocation)
        #expect(Self.names(out["b_events"]) == ["LockHeld", "LockContended"], "\(out)", sourceLocation: sourceLocation)
        #expect(Self.data(out["b_events"], "LockHeld")["holder"] as? String == a, "the watcher is told the holder: \(out)",
                sourceLocation: sourceLocation)
        let contended = Self.data(out["b_events"], "LockContended")
        #expect(contended["holder"] as? String == a && contended["by"] as? String == b && contended["outcome"] as? String == "watching",
                "\(out)", sourceLocation: sourceLocation)
        #expect(Self.names(out["a_heard_b"]) == ["pusher_internal:member_added", "LockContended"], "\(out)", sourceLocation: sourceLocation)
        #expect(Self.data(out["a_heard_b"], "LockContended")["by"] as? String == b, "\(out)", sourceLocation: sourceLocation)
        #expect(Self.names(out["c_events"]) == ["LockHeld", "LockContended"], "\(out)", sourceLocation: sourceLocation)
        for heard in ["a_heard_c", "b_heard_c"] {
            #expect(Self.names(out[heard]) == ["pusher_internal:member_added", "LockContended"], "\(heard): \(out)", sourceLocation: sourceLocation)
            #expect(Self.data(out[heard], "LockContended")["by"] as? String == cc, "\(heard): \(out)", sourceLocation: sourceLocation)
        }
        let since = Self.data(out["a_events"], "LockHeld")["since"] as? String
        for seen in ["b_after_a", "c_after_a"] {
            #expect(Self.names(out[seen]) == ["pusher_internal:member_removed", "LockReleased", "LockAcquired"], "\(seen): \(out)",
                    sourceLocation: sourceLocation)
            let released = Self.data(out[seen], "LockReleased")
            #expect(released["holder"] as? String == a && released["reason"] as? String == reason && released["since"] as? String == since,
                    "\(seen): \(out)", sourceLocation: sourceLocation)
            #expect(Self.data(out[seen], "LockAcquired")["holder"] as? String == b, "the earliest watcher takes the lock: \(out)",
                    sourceLocation: sourceLocation)
        }
        #expect(out["users_after_a"] as? [String] == [b, cc].sorted(), "\(out)", sourceLocation: sourceLocation)
        #expect(Self.names(out["c_after_b"]) == ["pusher_internal:member_removed", "LockReleased", "LockAcquired"], "\(out)",
                sourceLocation: sourceLocation)
        #expect(Self.data(out["c_after_b"], "LockReleased")["reason"] as? String == "left", "\(out)", sourceLocation: sourceLocation)
        #expect(Self.data(out["c_after_b"], "LockAcquired")["holder"] as? String == cc, "\(out)", sourceLocation: sourceLocation)
    }

    @Test("watch: second and third users watch and are told the holder; the holder leaves (unsubscribe, close, TCP reset) and the earliest watcher takes the lock",
          arguments: [("unsubscribe", "left"), ("close", "disconnected"), ("reset", "disconnected")])
    func watch(_ ending: String, _ reason: String) throws {
        let c = try Clinic("watch", label: "lock-watch-\(ending)")
        expectWatch(try c.run("watch", [], ["ending": ending]), c, reason: reason)
    }

    @Test("watch across two daemons: A and C on one, B on the other; the events reach everyone and the lock passes on")
    func watchTwoDaemons() throws {
        let c = try Clinic("watch")
        let second = try ServeProcess.start(c.s.world.database)
        defer { _ = try? second.stop() }
        expectWatch(try c.run("watch", [c.s.server, second], ["ending": "close"]), c, reason: "disconnected")
    }

    @Test("watch: the holder's second tab keeps the lock when the first tab leaves; the lock passes on when its last tab goes")
    func tabs() throws {
        let c = try Clinic("watch")
        let out = try c.run("tabs")
        #expect(Self.names(out["a2_events"]) == ["LockHeld"], "\(out)")
        #expect(Self.data(out["a2_events"], "LockHeld")["holder"] as? String == c.id("A"), "\(out)")
        #expect(Self.names(out["b_after_second_tab"]) == [], "\(out)")
        #expect(Self.names(out["b_after_first_tab_left"]) == [], "A keeps the lock: \(out)")
        #expect(Self.names(out["b_after_a"]) == ["pusher_internal:member_removed", "LockReleased", "LockAcquired"], "\(out)")
        #expect(Self.data(out["b_after_a"], "LockAcquired")["holder"] as? String == c.id("B"), "\(out)")
    }

    @Test("two users join at the same instant through two daemons: exactly one holds the lock, and the refusal names that one")
    func race() throws {
        let c = try Clinic("refuse")
        let second = try ServeProcess.start(c.s.world.database)
        defer { _ = try? second.stop() }
        let out = try c.run("race", [c.s.server, second], ["rounds": 8])
        let rounds = try #require(out["rounds"] as? [[String: Any]], "\(out)")
        #expect(rounds.count == 8)
        for round in rounds {
            let admitted = round["admitted"] as? [String] ?? []
            #expect(admitted.count == 1, "\(out)")
            #expect(round["refusal_names"] as? [String] == admitted.map { c.id($0) }, "\(out)")
        }
    }

    @Test("the holder's daemon dies (SIGKILL: within the heartbeat window) or stops (SIGTERM): the watcher on the other daemon hears LockReleased and takes the lock",
          arguments: [("KILL", "daemon_gone"), ("TERM", "shutdown")])
    func daemonGone(_ signal: String, _ reason: String) throws {
        let c = try Clinic("watch", label: "lock-daemon-\(signal)")
        let doomed = try ServeProcess.start(c.s.world.database)
        defer { _ = try? doomed.stop() }
        let out = try c.run("daemon_gone", [c.s.server, doomed], ["pid": Int(doomed.pid), "signal": signal, "within": 40])
        #expect(out[path: "released.holder"] as? String == c.id("A"), "\(out)")
        #expect(out[path: "released.reason"] as? String == reason, "\(out)")
        #expect(out[path: "acquired.holder"] as? String == c.id("B"), "\(out)")
        #expect((out["seconds"] as? Double ?? 99) < 30, "\(out)")
        #expect(out["users"] as? [String] == [c.id("B")], "\(out)")
    }

    @Test("a patient is refused a lock(tenant, doctor, admin, refuse) channel: /broadcasting/auth answers wrong_role and a borrowed grant does not verify")
    func patientRefused() throws {
        let c = try Clinic("refuse")
        let out = try c.run("patient")
        #expect(out["auth_status"] as? Int == 403, "\(out)")
        #expect(out[path: "auth_answer.reason"] as? String == "wrong_role", "\(out)")
        #expect(out[path: "subscribe.event"] as? String == "pusher:error", "\(out)")
        #expect(out[path: "subscribe.data.code"] as? Int == 4009, "\(out)")
        #expect(Self.names(out["a_after"]) == [], "nothing reaches the holder: \(out)")
        #expect(out["users"] as? [String] == [c.id("A")], "\(out)")
    }
}
