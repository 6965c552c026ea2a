import Foundation
import PusherProtocol
import Testing

@Suite("callctl serve: the outbox relay and the external Pusher server", .serialized)
struct OutboxServeTests {
    /// The daemon's primary app (ServeProcess's REVERB_APP_*), which signs for a URL without credentials.
    static let app = PusherApp(id: ServeProcess.appID, key: ServeProcess.appKey, secret: ServeProcess.appSecret)

    /// JSON log lines of the daemon whose `msg` starts with `prefix`.
    static func logLines(_ standardError: String, _ prefix: String) -> Int {
        standardError.split(separator: "\n").filter { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["msg"] as? String)?.hasPrefix(prefix) == true
        }.count
    }

    @Test("an external server down for a while receives every row, once and in id order, when it comes back")
    func externalDownThenBack() throws {
        let reserved = try OutboxPusherServer(app: Self.app)
        let port = reserved.port
        reserved.stop()
        let world = try ServeWorld(environment: ["CALLCTL_PUSHER_URL": "http://127.0.0.1:\(port)"])
        let database = world.world
        for _ in 0..<6 {
            let appointment = try world.appointment()
            let callId = try world.ring(appointment)
            #expect(try world.call("cancel", appointment, as: world.doctor, callId: callId).status == 200)
        }
        let rows = try database.count("SELECT count(*) FROM outbox")
        #expect(rows >= 12)
        #expect(eventually(within: 20) {
            (try? database.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL")) == 0
                && ((try? database.count("SELECT count(*) FROM outbox WHERE attempts > 0")) ?? 0) > 0
        })
        #expect(try database.count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 0)

        let server = try OutboxPusherServer(app: Self.app, port: port)
        #expect(eventually(within: 40) { (try? database.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")) == 0 })
        let expected = try database.connection.query("SELECT channel, event, payload::text AS p FROM outbox ORDER BY id").rows.map {
            [try $0.decode(String.self, "channel"), try $0.decode(String.self, "event"), try $0.decode(String.self, "p")]
        }
        #expect(server.acceptedEvents.map { [$0.channel, $0.name, $0.data] } == expected)
        let verifier = PusherRequestVerifier(app: Self.app)
        for request in server.received {
            #expect(throws: Never.self) {
                try verifier.verify(method: "POST", path: request.path, query: request.query, body: request.body,
                                    now: Int(Date().timeIntervalSince1970))
            }
        }
        let ending = try world.server.stop()
        #expect(ending.status == 0, "\(ending.standardError)")
        #expect(Self.logLines(ending.standardError, "could not publish outbox rows") == 1, "\(ending.standardError)")
        #expect(Self.logLines(ending.standardError, "the external Pusher server takes events again") == 1)
        #expect(!ending.standardError.contains(ServeProcess.appSecret))
    }

    @Test("one daemon with CALLCTL_PUSHER_URL, one without, on one database: every row reaches the external server; /readyz, outbox external and diagnose db name the disagreement; --forget retires the target")
    func daemonsDisagree() async throws {
        let external = try OutboxPusherServer(app: Self.app)
        let world = try ServeWorld(environment: ["CALLCTL_PUSHER_URL": "http://127.0.0.1:\(external.port)"])
        let plain = try ServeProcess.start(world.world.database, [])
        defer { _ = try? plain.stop() }
        let servers = [world.server, plain]
        for index in 0..<8 {
            let appointment = try world.appointment()
            let server = servers[index % 2]
            let rung = try server.request("POST", "/appointments/\(appointment)/call/request", token: try world.token(world.doctor),
                                          json: [String: String]())
            let callId = try #require(rung.json["callId"] as? String, "\(rung.text)")
            #expect(try server.request("POST", "/appointments/\(appointment)/call/cancel", token: try world.token(world.doctor),
                                       json: ["callId": callId]).status == 200)
        }
        let database = world.world
        #expect(eventually(within: 20) { (try? database.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")) == 0 },
                "rows were left unpublished")
        let rows = try database.count("SELECT count(*) FROM outbox")
        #expect(rows == 16)
        #expect(Set(external.acceptedEvents.map(\.data)).count == rows, "the external server got \(external.acceptedEvents.count) of \(rows)")

        #expect(eventually(within: 10) {
            ((try? plain.request("GET", "/readyz").json["warnings"]) as? [String])?.contains { $0.contains("has no CALLCTL_PUSHER_URL") } == true
        })
        let (listed, json) = try await database.runJSON(["outbox", "external", "--format", "json"])
        #expect(listed.status == 1, "\(listed.output)")
        #expect(json["declared"] as? String == "http://127.0.0.1:\(external.port)/apps/\(ServeProcess.appID)")
        #expect((json["daemons"] as? [Any])?.count == 2)
        let diagnosis = await database.run(["diagnose", "db"])
        #expect(diagnosis.status == 1)
        #expect(diagnosis.standardOutput.contains("outbox destinations"), "\(diagnosis.output)")

        _ = try world.server.stop()
        let status = await database.run(["outbox", "status"])
        #expect(status.standardOutput.contains("no running daemon publishes to"), "\(status.output)")
        let (forgot, released) = try await database.runJSON(["outbox", "external", "--forget", "--format", "json"])
        #expect(forgot.status == 0, "\(forgot.output)")
        #expect(released["released"] as? Int == 0)
        #expect(await database.run(["outbox", "external"]).status == 0)
    }

    @Test("the relay's connection is killed: logged once, reconnected, rows written meanwhile relayed and published (a flushed row keeps its published_at)")
    func relayReconnects() throws {
        let world = try ServeWorld()
        let database = world.world
        let relayBackends = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'callctl outbox relay' AND datname = current_database()"
        #expect(eventually(within: 10) { (try? database.count(relayBackends)) == 1 })
        try database.connection.query("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'callctl outbox relay' AND datname = current_database()
            """)
        try database.connection.query("""
            INSERT INTO outbox (channel, event, payload)
            SELECT 'private-appointments.' || g, 'App\\Events\\AppointmentNoShow', jsonb_build_object('appointmentId', g)
            FROM generate_series(1, 3) g
            """)
        let flushed = try database.connection.query("""
            INSERT INTO outbox (channel, event, payload, published_at)
            VALUES ('private-appointments.9', 'App\\Events\\AppointmentNoShow', '{}', '2026-01-01T00:00:00Z') RETURNING id
            """).first!.decode(Int64.self, "id")
        try database.connection.notify("callctl_outbox", payload: "4")
        #expect(eventually(within: 20) {
            (try? database.count("SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL AND published_at = relayed_at")) == 3
                && (try? database.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL")) == 0
        })
        #expect(try database.value("SELECT published_at::text FROM outbox WHERE id = $1", flushed) == "2026-01-01 00:00:00+00")
        let ending = try world.server.stop()
        #expect(ending.status == 0, "\(ending.standardError)")
        #expect(Self.logLines(ending.standardError, "outbox relay lost PostgreSQL") == 1, "\(ending.standardError)")
        #expect(Self.logLines(ending.standardError, "outbox relay reconnected") == 1, "\(ending.standardError)")
        #expect(!ending.standardError.contains(database.database.connectionString))
    }

    @Test("an invalid CALLCTL_PUSHER_URL keeps the daemon from starting: 78, the variable named, no secret")
    func invalidURL() throws {
        let database = try TestDatabase()
        _ = try database.migrated()
        let ending = try ServeProcess.refusal(database, environment: ["CALLCTL_PUSHER_URL": "http://k:quiet-secret-77@host/x"])
        #expect(ending.status == 78, "\(ending.standardError)")
        #expect(ending.standardError.contains("CALLCTL_PUSHER_URL must look like"))
        #expect(!ending.standardError.contains("quiet-secret-77"))
    }
}
