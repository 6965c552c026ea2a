import AccessTokens
import Foundation
import LocalServices
import Postgres
import PusherProtocol
import Testing

/// Issue 10, fault tests with real processes on loopback: the daemon killed with SIGKILL, the
/// external Pusher server down for a minute, and clocks that disagree.
@Suite("Fault: serve killed, external Pusher down, clock skew", .serialized)
struct FaultProcessTests {
    /// The daemon's primary app (ServeProcess's REVERB_APP_*), which signs for a URL without credentials.
    static let app = PusherApp(id: ServeProcess.appID, key: ServeProcess.appKey, secret: ServeProcess.appSecret)

    @Test("Fault: serve SIGKILLed mid-traffic and restarted on the same database: rows not relayed at the kill are relayed and published after the restart, none lost")
    func serveKilledMidTraffic() throws {
        let pusher = try OutboxPusherServer(app: Self.app)
        let environment: [String: String?] = ["CALLCTL_PUSHER_URL": "http://127.0.0.1:\(pusher.port)"]
        let world = try ServeWorld(FaultSubscriber.serveArguments, environment: environment)
        let connection = world.world.connection
        let count = { (sql: String) in Int(try connection.query(sql).first!.decode(Int64.self, at: 0)) }
        let appointments = try FaultSeed.appointments(300, doctorUserId: world.doctor, on: connection)
        let channels = appointments.map { "private-appointments.\($0)" }
        let firstSubscriber = try FaultSubscriber(port: world.server.port, channels: channels)
        defer { firstSubscriber.stop() }
        let traffic = FaultTraffic(port: world.server.port, appointments: Array(appointments.prefix(250)),
                                   token: try world.token(world.doctor), pause: 0.05)
        defer { traffic.stop() }
        #expect(eventually(within: 10) { traffic.successes >= 20 })

        // A burst as a cron job writes it (3,000 rows on 50 channels in one transaction), so the
        // daemon is busy relaying and publishing when it dies.
        let burstChannels = appointments.suffix(50).map(String.init).joined(separator: ",")
        try connection.execute("""
            INSERT INTO outbox (channel, event, payload)
            SELECT 'private-appointments.' || (ARRAY[\(burstChannels)])[1 + g % 50], 'App\\Events\\AppointmentNoShow',
                   jsonb_build_object('appointmentId', (ARRAY[\(burstChannels)])[1 + g % 50], 'seq', g)
            FROM generate_series(1, 3000) g ORDER BY g;
            NOTIFY callctl_outbox;
            """)
        #expect(try eventually(within: 10) { try count("SELECT count(*) FROM outbox WHERE payload ? 'seq' AND relayed_at IS NOT NULL") > 0 })
        kill(world.server.pid, SIGKILL)
        let ending = try world.server.stop()
        #expect(ending.status == 128 + SIGKILL)
        #expect(try eventually(within: 10) {
            try count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0
        })
        let lastIdAtKill = Int64(try count("SELECT coalesce(max(id), 0) FROM outbox"))
        let rowsAtKill = try count("SELECT count(*) FROM outbox")
        let notRelayedAtKill = try faultOutboxEvents(connection, where: "relayed_at IS NULL")
        let notPublishedAtKill = try faultOutboxEvents(connection, where: "published_at IS NULL").map(\.event)
        let relayedAtKill = try faultOutboxEvents(connection, where: "relayed_at IS NOT NULL")
        firstSubscriber.stop()

        // The new daemon relays at once; a lock on the outbox holds its relay back until the new
        // subscriber (the browser reconnecting) is subscribed, so what it receives can be judged.
        let blocker = try world.world.database.connect()
        defer { blocker.close() }
        try blocker.execute("BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE")
        let second = try ServeProcess.start(world.world.database, FaultSubscriber.serveArguments, environment: environment)
        defer { _ = try? second.stop() }
        let secondSubscriber = try FaultSubscriber(port: second.port, channels: channels)
        defer { secondSubscriber.stop() }
        try blocker.execute("ROLLBACK")
        let resumed = Date()
        traffic.port = second.port
        // How long the new daemon takes to relay and publish what the old one left behind.
        var relayDrain = -1.0
        #expect(try eventually(within: 10) {
            if relayDrain < 0, try count("SELECT count(*) FROM outbox WHERE id <= \(lastIdAtKill) AND relayed_at IS NULL") == 0 {
                relayDrain = Date().timeIntervalSince(resumed)
            }
            guard relayDrain >= 0 else { return false }
            return try count("SELECT count(*) FROM outbox WHERE id <= \(lastIdAtKill) AND published_at IS NULL") == 0
        })
        let publishDrain = Date().timeIntervalSince(resumed)
        Thread.sleep(forTimeInterval: max(0, 2 - publishDrain))
        let steps = traffic.stop()
        #expect(try eventually(within: 30) {
            try count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL OR published_at IS NULL") == 0
        })
        let ledger = try FaultLedger(steps, on: connection)
        #expect(ledger.problems.isEmpty, "\(ledger.problems.prefix(10))")

        // The external server (it outlived both daemons): every row, duplicates counted apart.
        let rows = try faultOutboxEvents(connection)
        let accepted = pusher.acceptedEvents.map { FaultSubscriber.Event(channel: $0.channel, event: $0.name, data: FaultSubscriber.canonical($0.data)) }
        let missing = Set(rows.map(\.event)).subtracting(accepted)
        #expect(missing.isEmpty, "\(missing.count) rows never reached the external server: \(missing.prefix(3))")
        let duplicates = accepted.count - Set(accepted).count
        // At-least-once, and only where the kill forces it: a row the old daemon may have sent
        // but not yet marked published is sent again, once; no other row is ever repeated.
        let repeated = Dictionary(grouping: accepted, by: { $0 }).filter { $0.value.count > 1 }
        let unforced = Set(repeated.keys).subtracting(notPublishedAtKill)
        #expect(unforced.isEmpty, "\(unforced.count) events published at the kill were received again: \(unforced.prefix(3))")
        #expect(repeated.values.allSatisfy { $0.count == 2 }, "an event was received more than twice: \(repeated.filter { $0.value.count > 2 }.keys.prefix(3))")
        var firstSeen: [FaultSubscriber.Event] = []
        var seen = Set<FaultSubscriber.Event>()
        for event in accepted where seen.insert(event).inserted { firstSeen.append(event) }
        let outOfOrder = Self.channelsOutOfOrder(expected: rows.map(\.event), received: firstSeen)
        #expect(outOfOrder.isEmpty, "channels whose first deliveries are out of id order: \(outOfOrder.prefix(5))")

        // The subscriber on the new daemon: every row not relayed at the kill, and every later row.
        let afterRestart = try faultOutboxEvents(connection, where: "id > \(lastIdAtKill)")
        let secondReceived = Set(secondSubscriber.events)
        let owed = Set(notRelayedAtKill.map(\.event)).union(afterRestart.map(\.event))
        let secondMissing = owed.subtracting(secondReceived)
        #expect(secondMissing.isEmpty, "\(secondMissing.count) events owed to the new daemon's subscriber never arrived")
        #expect(secondSubscriber.events.count == secondReceived.count, "duplicates on the new daemon")
        let firstMissed = Set(relayedAtKill.map(\.event)).subtracting(firstSubscriber.events)
        let union = Set(firstSubscriber.events).union(secondReceived)
        #expect(!notRelayedAtKill.isEmpty, "the relay had finished before the kill: nothing was pending")

        let secondEnding = try second.stop()
        #expect(secondEnding.status == 0, "\(secondEnding.standardError.suffix(3000))")
        print("""
            FAULT serve-kill: SIGKILL with \(rowsAtKill) outbox rows: \(notRelayedAtKill.count) not relayed, \(notPublishedAtKill.count) not published \
            to the external server; once the new daemon was up (and its subscriber subscribed) those rows were all relayed within \(ms(relayDrain)) ms and published within \(ms(publishDrain)) ms
            FAULT serve-kill: external Pusher stand-in: \(rows.count) rows emitted, \(accepted.count) events received, \
            \(Set(accepted).count) distinct, \(duplicates) duplicates (at-least-once), \(missing.count) missing
            FAULT serve-kill: WebSocket subscribers: \(secondReceived.count) received on the new daemon (owed \(owed.count), missing \
            \(secondMissing.count)); old daemon's subscriber got \(relayedAtKill.count - firstMissed.count) of the \(relayedAtKill.count) \
            rows relayed before the kill; union \(union.count) of \(rows.count)
            FAULT serve-kill: lifecycle answers \(ledger.summary)
            """)
    }

    @Test("Fault: external Pusher server down for a minute: the backlog grows and outbox status shows it, then everything is delivered once and in order")
    func externalPusherDownForAMinute() throws {
        var pusher = try OutboxPusherServer(app: Self.app)
        let port = pusher.port
        let world = try ServeWorld(environment: ["CALLCTL_PUSHER_URL": "http://127.0.0.1:\(port)"])
        let connection = world.world.connection
        let count = { (sql: String) in Int(try connection.query(sql).first!.decode(Int64.self, at: 0)) }
        let appointments = try FaultSeed.appointments(20, doctorUserId: world.doctor, on: connection)
        let outbox = FaultOutboxStatus(database: world.world.database)
        func churn(_ appointment: Int64) throws {
            for _ in 0..<2 {
                let callId = try world.ring(appointment)
                #expect(try world.call("cancel", appointment, as: world.doctor, callId: callId).status == 200)
            }
        }

        try churn(appointments[0])
        #expect(try eventually(within: 10) { try count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0 })
        let before = pusher.acceptedEvents
        #expect(before.count == 4)

        pusher.stop()
        let down = Date()
        Thread.sleep(forTimeInterval: 0.3)
        for appointment in appointments[1...5] { try churn(appointment) }
        Thread.sleep(forTimeInterval: 5)
        let early = try outbox.json(["--max-age", "3600"])
        #expect(early.status == 0 && early.backlog == 20 && early.age > 4, "\(early)")
        var late = early
        for (index, appointment) in appointments[6...].enumerated() {
            // A few events every ~4 s, as a clinic makes them, while the server stays down.
            try churn(appointment)
            if index % 2 == 1 { Thread.sleep(forTimeInterval: 7) }
            if Date().timeIntervalSince(down) > 52 { break }
        }
        late = try outbox.json(["--max-age", "30"])
        let written = try count("SELECT count(*) FROM outbox")
        #expect(late.status == 1 && late.exceeded, "\(late)")
        #expect(late.backlog > early.backlog && late.backlog == written - 4, "\(late)")
        #expect(late.age > early.age + 30, "oldest age \(early.age) then \(late.age)")
        #expect(try count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0)
        let failedAttempts = try count("SELECT coalesce(max(attempts), 0) FROM outbox")
        let wait = 60.5 - Date().timeIntervalSince(down)
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }

        pusher = try OutboxPusherServer(app: Self.app, port: port)
        let back = Date()
        let outage = back.timeIntervalSince(down)
        #expect(try eventually(within: 80) { try count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0 })
        let drain = Date().timeIntervalSince(back)
        let after = try outbox.json(["--max-age", "30"])
        #expect(after.status == 0 && after.backlog == 0 && after.ageIsNull, "\(after)")

        let rows = try faultOutboxEvents(connection).map(\.event)
        let delivered = (before + pusher.acceptedEvents).map {
            FaultSubscriber.Event(channel: $0.channel, event: $0.name, data: FaultSubscriber.canonical($0.data))
        }
        #expect(delivered == rows, "delivered \(delivered.count) events for \(rows.count) rows")
        #expect(Self.channelsOutOfOrder(expected: rows, received: delivered).isEmpty)
        let perChannel = Dictionary(grouping: delivered, by: \.channel).mapValues(\.count)
        let attempts = pusher.received.count
        let ending = try world.server.stop()
        #expect(ending.status == 0, "\(ending.standardError.suffix(3000))")
        print("""
            FAULT pusher-down: external server down \(String(format: "%.1f", outage)) s; outbox status after 5 s: backlog \(early.backlog), \
            oldest \(String(format: "%.1f", early.age)) s; after \(ms(late.measuredAt.timeIntervalSince(down)) / 1000) s: backlog \(late.backlog), \
            oldest \(String(format: "%.1f", late.age)) s, --max-age 30 exit \(late.status)
            FAULT pusher-down: drained \(rows.count - before.count) pending rows in \(ms(drain)) ms after the server came back \
            (\(attempts) requests to it; the oldest row had \(failedAttempts) failed attempts during the outage); delivered \(delivered.count) of \(rows.count) rows exactly once in id order, \
            \(perChannel.count) channels × \(Set(perChannel.values).sorted()) events
            """)
    }

    @Test("Fault: clock skew: Pusher API auth_timestamp ±590 s accepted, ±700 s 401 stale_timestamp; JWT exp/nbf off by less than the leeway accepted, by more 401")
    func clockSkew() throws {
        let world = try ServeWorld()
        let peer = PusherPeer(server: world.server)
        let event: [String: Any] = ["name": "skew", "data": "{}", "channel": "news"]
        var figures: [String] = []
        var slowest = 0.0
        for skew in [-700, -590, 590, 700] {
            let sent = Date()
            let response = try peer.trigger(event, timestamp: Int(Date().timeIntervalSince1970) + skew)
            slowest = max(slowest, Date().timeIntervalSince(sent))
            if abs(skew) < 600 {
                #expect(response.status == 200, "skew \(skew): \(response.text)")
            } else {
                response.expectError(401, "stale_timestamp")
            }
            figures.append("\(skew > 0 ? "+" : "")\(skew)s→\(response.status)\(response.reason.map { " \($0)" } ?? "")")
        }

        let appointments = try FaultSeed.appointments(2, doctorUserId: world.doctor, on: world.world.connection)
        // The JWT leeway's edges: a token is minted just before its request, `margin` inside or
        // outside the leeway, where the margin is three times the slowest round trip measured
        // above (at least 1 s), not a fixed window a loaded machine can overrun.
        let leeway = Int(AccessTokenVerifier.clockLeeway)
        let margin = max(1, Int((3 * slowest).rounded(.up)))
        try #require(margin < leeway, "round trips of \(slowest) s leave no room inside the \(leeway) s leeway")
        let cases: [(label: String, exp: Int, nbf: Int?, accepted: Bool)] = [
            ("exp -\(leeway - margin)s", -(leeway - margin), nil, true),
            ("nbf +\(leeway - margin)s", 3600, leeway - margin, true),
            ("exp -\(leeway + margin)s", -(leeway + margin), nil, false),
            ("nbf +\(leeway + margin)s", 3600, leeway + margin, false),
            ("exp -\(leeway + 2 * margin)s", -(leeway + 2 * margin), nil, false),
            ("nbf +\(leeway + 2 * margin)s", 3600, leeway + 2 * margin, false),
        ]
        var next = appointments.makeIterator()
        for (label, exp, nbf, accepted) in cases {
            let now = Int(Date().timeIntervalSince1970)
            var claims: [String: Any] = ["sub": world.doctor, "exp": now + exp]
            if let nbf { claims["nbf"] = now + nbf }
            let token = try ServeToken.hs256(claims)
            let appointment = accepted ? next.next()! : appointments[0]
            let response = try world.server.request("POST", "/appointments/\(appointment)/call/request", token: token,
                                                    json: ["peerId": "skew"])
            if accepted {
                #expect(response.status == 200, "\(label): \(response.text)")
                // A user is in one open call at a time: end this one before the next case rings.
                let callId = response.json["callId"] as? String ?? ""
                _ = try world.server.request("POST", "/appointments/\(appointment)/call/cancel", token: try ServeToken.hs256(user: world.doctor),
                                             json: ["callId": callId])
            } else {
                response.expectError(401, "unauthenticated")
            }
            figures.append("JWT \(label)→\(response.status)\(response.reason.map { " \($0)" } ?? "")")
        }
        print("FAULT clock-skew: " + figures.joined(separator: ", "))
    }

    /// Channels whose events in `received` do not keep the order they have in `expected`.
    static func channelsOutOfOrder(expected: [FaultSubscriber.Event], received: [FaultSubscriber.Event]) -> [String] {
        let want = Dictionary(grouping: expected, by: \.channel)
        let got = Dictionary(grouping: received, by: \.channel)
        return want.keys.sorted().filter { channel in
            let order = Dictionary(uniqueKeysWithValues: (want[channel] ?? []).enumerated().map { ($1, $0) })
            let positions = (got[channel] ?? []).compactMap { order[$0] }
            return positions != positions.sorted()
        }
    }
}

/// `callctl outbox status --format json` on a database, reduced to what the fault tests read.
struct FaultOutboxStatus {
    let database: TestDatabase

    struct Reading: CustomStringConvertible {
        let status: Int32
        let backlog: Int
        let age: Double
        let ageIsNull: Bool
        let exceeded: Bool
        let measuredAt: Date
        var description: String { "exit \(status), backlog \(backlog), oldest \(ageIsNull ? "none" : "\(age) s"), exceeded \(exceeded)" }
    }

    func json(_ arguments: [String] = []) throws -> Reading {
        let outcome = try CLI.run(["outbox", "status", "--format", "json", "--log-format", "json"] + arguments,
                                  environment: ["DATABASE_URL": database.connectionString, "CALLCTL_PUSHER_URL": nil])
        let object = try outcome.json()
        return Reading(status: outcome.status, backlog: object["backlog"] as? Int ?? -1,
                       age: object["oldest_pending_age_seconds"] as? Double ?? -1,
                       ageIsNull: object["oldest_pending_age_seconds"] is NSNull,
                       exceeded: object["max_age_exceeded"] as? Bool ?? false, measuredAt: Date())
    }
}
