import Foundation
import PusherProtocol
import Testing

@Suite("outbox flush to an external Pusher server", .serialized)
struct OutboxFlushTests {
    /// Every request verifies with the app's secret, targets the batch endpoint and holds at most ten events.
    static func expectSigned(_ server: OutboxPusherServer) {
        let verifier = PusherRequestVerifier(app: OutboxWorld.app)
        for request in server.received {
            #expect(request.method == "POST")
            #expect(request.path == "/apps/\(OutboxWorld.app.id)/batch_events")
            #expect(throws: Never.self) {
                try verifier.verify(method: request.method, path: request.path, query: request.query, body: request.body,
                                    now: Int(Date().timeIntervalSince1970))
            }
        }
    }

    /// Events accepted by the server equal the outbox rows, once each, in id order.
    static func expectDelivered(_ server: OutboxPusherServer, _ world: OutboxWorld) throws {
        let rows = try world.rows()
        let events = server.acceptedEvents
        #expect(events.map(\.channel) == rows.map(\.channel))
        #expect(events.map(\.name) == rows.map(\.event))
        #expect(events.map(\.data) == rows.map(\.payload))
    }

    @Test("every row once, in id order, in signed batches of at most ten; relayed_at stays for the daemon")
    func delivers() async throws {
        let world = try OutboxWorld()
        try world.addRows(25)
        let server = try OutboxPusherServer(app: OutboxWorld.app)
        let (outcome, json) = try await world.runJSON(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": OutboxWorld.url(port: server.port)])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(json["target"] as? String == "http://127.0.0.1:\(server.port)/apps/\(OutboxWorld.app.id)")
        #expect(json["delivered"] as? Int == 25)
        #expect(json["failed"] as? Int == 0)
        #expect(json["batches"] as? Int == 3)
        #expect(json["pending"] as? Int == 0)
        #expect(json["first_error"] is NSNull)
        #expect(server.received.map(\.status) == [200, 200, 200])
        Self.expectSigned(server)
        try Self.expectDelivered(server, world)
        let sizes = server.received.map { request in
            ((try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any])?["batch"] as? [Any]
        }.map { $0?.count ?? -1 }
        #expect(sizes == [10, 10, 5])
        #expect(try world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL OR relayed_at IS NOT NULL") == 0)
        #expect(!outcome.output.contains(OutboxWorld.app.secret))

        let again = await world.run(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": OutboxWorld.url(port: server.port)])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.standardOutput.contains("published 0 events to http://127.0.0.1:\(server.port)/apps/5150 in 0 requests"))
        #expect(server.received.count == 3)
    }

    @Test("a URL without credentials and app id signs with REVERB_APP_*; --limit stops early")
    func primaryApp() async throws {
        let world = try OutboxWorld()
        try world.addRows(12)
        let server = try OutboxPusherServer(app: OutboxWorld.app)
        let pusher: [String: String?] = [
            "CALLCTL_PUSHER_URL": "http://127.0.0.1:\(server.port)", "REVERB_APP_ID": OutboxWorld.app.id,
            "REVERB_APP_KEY": OutboxWorld.app.key, "REVERB_APP_SECRET": OutboxWorld.app.secret,
        ]
        let (outcome, json) = try await world.runJSON(["outbox", "flush", "--limit", "4"], pusher: pusher)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(json["delivered"] as? Int == 4)
        #expect(json["pending"] as? Int == 8)
        Self.expectSigned(server)
        #expect(server.acceptedEvents.map(\.channel) == (1...4).map { "private-appointments.\($0)" })
        #expect(!outcome.output.contains(OutboxWorld.app.secret))
    }

    @Test("target down: exit 1, rows stay pending with attempts and last_error; target back: everything delivered")
    func downThenUp() async throws {
        let world = try OutboxWorld()
        try world.addRows(15)
        let gone = try OutboxPusherServer(app: OutboxWorld.app)
        let port = gone.port
        gone.stop()
        let url = OutboxWorld.url(port: port)
        // The database's clock before the attempt, in ms: the first backoff (1 s + up to 10 %) is
        // checked against it, not against a now() that a slow machine may already have passed.
        let before = try world.count("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
        let (outcome, json) = try await world.runJSON(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": url])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(json["delivered"] as? Int == 0)
        #expect(json["failed"] as? Int == 10)
        #expect(json["stopped_early"] as? Bool == true)
        #expect(json["pending"] as? Int == 15)
        let firstError = try #require(json["first_error"] as? String)
        #expect(firstError.contains("nothing accepts connections at 127.0.0.1:\(port)"))
        #expect(outcome.standardError.contains("10 outbox rows could not be published and the flush stopped"))
        #expect(try world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 15)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE attempts = 1 AND last_error = '"
            + firstError.replacingOccurrences(of: "'", with: "''") + "'"
            + " AND next_attempt_at >= to_timestamp(\(before) / 1000.0) + interval '1 second'"
            + " AND next_attempt_at <= clock_timestamp() + interval '1.1 seconds'") == 10)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE attempts = 0 AND last_error IS NULL") == 5)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE last_error LIKE '%\(OutboxWorld.app.secret)%'") == 0)
        #expect(!outcome.output.contains(OutboxWorld.app.secret))

        let (status, statusJSON) = try await world.runJSON(["outbox", "status"])
        #expect(status.status == 0, "\(status.output)")
        #expect(statusJSON["failing_count"] as? Int == 10)
        #expect(!status.output.contains(OutboxWorld.app.secret))

        let server = try OutboxPusherServer(app: OutboxWorld.app, port: port)
        let (back, backJSON) = try await world.runJSON(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": url])
        #expect(back.status == 0, "\(back.output)")
        #expect(backJSON["delivered"] as? Int == 15)
        #expect(backJSON["pending"] as? Int == 0)
        Self.expectSigned(server)
        try Self.expectDelivered(server, world)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL OR next_attempt_at IS NOT NULL") == 0)
    }

    @Test("a secret the server does not share: 401 explained, nothing published, no secret shown")
    func wrongSecret() async throws {
        let world = try OutboxWorld()
        try world.addRows(3)
        let server = try OutboxPusherServer(app: OutboxWorld.app)
        let wrong = "not-the-server-secret-4411"
        let outcome = await world.run(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": OutboxWorld.url(port: server.port, secret: wrong)])
        #expect(outcome.status == 1, "\(outcome.output)")
        #expect(outcome.standardOutput.contains("first error: the external server refused the signature (HTTP 401)"))
        #expect(outcome.standardOutput.contains("the secret in CALLCTL_PUSHER_URL differs from the server's"))
        #expect(server.received.map(\.status) == [401])
        #expect(try world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts = 1") == 3)
        for secret in [wrong, OutboxWorld.app.secret] {
            #expect(!outcome.output.contains(secret))
            #expect(try world.count("SELECT count(*) FROM outbox WHERE last_error LIKE '%\(secret)%'") == 0)
        }
    }

    @Test("without CALLCTL_PUSHER_URL: 78 with the fix")
    func notConfigured() async throws {
        let world = try OutboxWorld()
        try world.addRows(1)
        let outcome = await world.run(["outbox", "flush"])
        #expect(outcome.status == 78, "\(outcome.output)")
        #expect(outcome.standardError.contains("CALLCTL_PUSHER_URL is not set: set it to http[s]://KEY:SECRET@host[:port]/apps/APP_ID"))
        #expect(outcome.standardOutput.isEmpty)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE attempts = 0 AND published_at IS NULL") == 1)
    }

    @Test("an invalid CALLCTL_PUSHER_URL: 78 naming the variable and the form, not the secret", arguments: [
        "ftp://key:hush-hush-secret@127.0.0.1/apps/1", "http://key:hush-hush-secret@127.0.0.1/pusher/apps/1",
        "http://:hush-hush-secret@127.0.0.1/apps/1",
    ])
    func invalidURL(url: String) async throws {
        let world = try OutboxWorld()
        let outcome = await world.run(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": url])
        #expect(outcome.status == 78, "\(outcome.output)")
        #expect(outcome.standardError.contains("CALLCTL_PUSHER_URL must look like http[s]://KEY:SECRET@host[:port]/apps/APP_ID"))
        #expect(!outcome.output.contains("hush-hush-secret"))
    }
}
