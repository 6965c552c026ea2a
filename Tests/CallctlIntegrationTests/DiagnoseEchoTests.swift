import Foundation
import LocalServices
import Testing

/// `callctl diagnose echo` against a real `callctl serve` (WebSocket hub, HTTP API and
/// `/broadcasting/auth` in one daemon): a healthy setup passes every check; each injected
/// fault fails at its layer with the verdict that names the cause, within 10 seconds.
@Suite("callctl diagnose echo: healthy setup and injected faults", .serialized)
struct DiagnoseEchoTests {
    @Test("healthy: every check passes (tls skipped on ws://), defaults from --env-file, exit 0")
    func healthy() throws {
        let world = try DiagnoseEchoWorld()
        let directory = try makeScratchDirectory("callctl-diagnose-env")
        defer { try? FileManager.default.removeItem(at: directory) }
        let envFile = directory.appendingPathComponent(".env").path
        try """
            APP_URL=http://127.0.0.1:\(world.port)
            REVERB_APP_ID=\(ServeProcess.appID)
            REVERB_APP_KEY="\(ServeProcess.appKey)"
            REVERB_APP_SECRET=\(ServeProcess.appSecret)
            REVERB_HOST=127.0.0.1
            REVERB_PORT=\(world.port)
            REVERB_SCHEME=http
            """.write(toFile: envFile, atomically: true, encoding: .utf8)
        let flags = try world.flags(["--env-file": envFile, "--url": nil, "--app-id": nil, "--app-key": nil,
                                     "--app-secret": nil, "--auth-url": nil])
        let run = try EchoRun.run(flags)
        #expect(run.outcome.status == 0, "\(run.outcome.output)")
        #expect(try run.outcome.json()["status"] as? String == "pass")
        var expected = Dictionary(uniqueKeysWithValues: ["dns", "tcp", "websocket_upgrade", "connection_established", "app_key",
                                                         "auth_endpoint", "auth_signature", "subscription", "event_delivery",
                                                         "refuses_no_token", "refuses_other_user", "refuses_other_tenant",
                                                         "presence"].map { ($0, "pass") })
        expected["tls"] = "skip"
        expected["external_server"] = "skip"
        #expect(try run.statuses() == expected, "\(run.outcome.output)")
        let checks = try run.checks()
        #expect(try run.checks().map { $0["name"] as? String ?? "" }.first == "dns")
        let delivery = try #require(checks.first { $0["name"] as? String == "event_delivery" })
        #expect((delivery["detail"] as? String)?.contains("arrived") == true, "\(delivery)")
        let auth = try #require(checks.first { $0["name"] as? String == "auth_endpoint" })
        #expect((auth["detail"] as? String)?.contains("first byte") == true, "\(auth)")
        #expect(run.seconds < 10)
    }

    @Test("external_server with CALLCTL_PUSHER_URL: a real serve passes; a closed port and a wrong secret (401) fail with cause and fix, secret unshown")
    func externalServer() throws {
        let world = try DiagnoseEchoWorld()
        let directory = try makeScratchDirectory("callctl-diagnose-external")
        defer { try? FileManager.default.removeItem(at: directory) }
        let envFile = directory.appendingPathComponent("callctl.env").path
        let secret = ServeProcess.appSecret
        try "CALLCTL_PUSHER_URL=http://\(ServeProcess.appKey):\(secret)@127.0.0.1:\(world.port)/apps/\(ServeProcess.appID)\n"
            .write(toFile: envFile, atomically: true, encoding: .utf8)
        let healthy = try EchoRun.run(try world.flags(["--env-file": envFile]))
        #expect(healthy.outcome.status == 0, "\(healthy.outcome.output)")
        let passed = try #require(try healthy.checks().first { $0["name"] as? String == "external_server" })
        #expect(passed["status"] as? String == "pass", "\(passed)")
        #expect((passed["detail"] as? String)?.contains("/apps/\(ServeProcess.appID)/channels") == true, "\(passed)")

        let closed = try LocalHost.freePort()
        let down = try EchoRun.run(try world.flags([:]),
                                   environment: ["CALLCTL_PUSHER_URL": "http://k:\(secret)@127.0.0.1:\(closed)/apps/1"])
        #expect(down.outcome.status == 1, "\(down.outcome.output)")
        let failure = try down.failure()
        #expect(failure.name == "external_server")
        #expect(failure.verdict.contains("does not answer") && failure.verdict.contains("callctl outbox status"), "\(failure.verdict)")
        #expect(try down.statuses()["event_delivery"] == "pass")

        let wrong = "not-the-external-secret-31337"
        let refused = try EchoRun.run(try world.flags(["--format": "text"]), environment: [
            "CALLCTL_PUSHER_URL": "http://\(ServeProcess.appKey):\(wrong)@127.0.0.1:\(world.port)/apps/\(ServeProcess.appID)"])
        #expect(refused.outcome.status == 1, "\(refused.outcome.output)")
        let line = refused.outcome.standardOutput.split(separator: "\n").first { $0.contains("external_server") } ?? ""
        #expect(line.hasPrefix("FAIL") && line.contains("401"), "\(refused.outcome.standardOutput)")
        #expect(refused.outcome.standardOutput.contains("KEY:SECRET in CALLCTL_PUSHER_URL"), "\(refused.outcome.standardOutput)")
        for run in [healthy, down, refused] {
            #expect(!run.outcome.output.contains(wrong) && !run.outcome.output.contains(secret))
        }
    }

    @Test("wrong app secret: auth_signature fails naming REVERB_APP_SECRET")
    func wrongSecret() throws {
        let world = try DiagnoseEchoWorld()
        let run = try EchoRun.run(try world.flags(["--app-secret": "not-the-servers-secret"]))
        try run.expectFailure(at: "auth_signature", saying: ["different REVERB_APP_SECRET values"])
        #expect(!run.outcome.output.contains("not-the-servers-secret"))
    }

    @Test("wrong app key: app_key fails with 4001 naming the key and REVERB_APP_KEY")
    func wrongKey() throws {
        let world = try DiagnoseEchoWorld()
        let run = try EchoRun.run(try world.flags(["--app-key": "wrong-key"]))
        try run.expectFailure(at: "app_key", saying: ["does not know app key wrong-key", "REVERB_APP_KEY"])
        let appKey = try #require(try run.checks().first { $0["name"] as? String == "app_key" })
        #expect((appKey["detail"] as? String)?.contains("4001") == true, "\(appKey)")
    }

    @Test("nothing listening: tcp fails naming host and port")
    func nothingListening() throws {
        let port = try LocalHost.freePort()
        let world = try DiagnoseEchoWorld()
        let run = try EchoRun.run(try world.flags(["--url": "ws://127.0.0.1:\(port)"]))
        try run.expectFailure(at: "tcp", saying: ["nothing listens on 127.0.0.1:\(port)"])
    }

    @Test("invalid token: auth_endpoint fails with 401 naming the token")
    func invalidToken() throws {
        let world = try DiagnoseEchoWorld()
        let forged = try ServeToken.hs256(ServeToken.claims(user: world.serve.doctor), secret: "another-key-than-the-daemons-0000")
        let run = try EchoRun.run(try world.flags(["--token": forged]))
        try run.expectFailure(at: "auth_endpoint", saying: ["does not accept the token (401", "fresh token"])
        #expect(!run.outcome.output.contains(forged))
    }

    @Test("auth endpoint answering 500: auth_endpoint fails saying the app's endpoint is broken")
    func authEndpointBroken() throws {
        let world = try DiagnoseEchoWorld()
        let app = try LoopbackHTTPServer()
        let run = try EchoRun.run(try world.flags(["--auth-url": "http://127.0.0.1:\(app.port)/status/500"]))
        try run.expectFailure(at: "auth_endpoint", saying: ["the app's auth endpoint is broken (500"])
        #expect(app.requests == ["POST /status/500"])
    }

    @Test("an auth endpoint that signs for anyone: the three refusal checks fail loudly as SECURITY failures")
    func openAuthEndpoint() throws {
        let world = try DiagnoseEchoWorld()
        let open = try DiagnoseStubServer(.openAuth(key: ServeProcess.appKey, secret: ServeProcess.appSecret))
        let overrides: [String: String?] = ["--auth-url": "http://127.0.0.1:\(open.port)/broadcasting/auth", "--presence-channel": nil]
        let run = try EchoRun.run(try world.flags(overrides))
        #expect(run.outcome.status == 1, "\(run.outcome.output)")
        let checks = try run.checks()
        let holes = checks.filter { $0["security"] as? Bool == true }
        #expect(holes.map { $0["name"] as? String ?? "" } == ["refuses_no_token", "refuses_other_user", "refuses_other_tenant"])
        #expect(holes.allSatisfy { ($0["verdict"] as? String)?.hasPrefix("SECURITY: the auth endpoint signs") == true }, "\(holes)")
        #expect(try run.statuses()["event_delivery"] == "pass" && run.statuses()["presence"] == "skip", "\(run.outcome.output)")
        var text = overrides
        text["--format"] = "text"
        let lines = try EchoRun.run(try world.flags(text)).outcome.standardOutput.split(separator: "\n")
        #expect(lines.last?.hasPrefix("SECURITY FAILURE (refuses_no_token, refuses_other_user, refuses_other_tenant)") == true,
                "\(lines.last ?? "")")
    }

    @Test("a server that upgrades but never sends connection_established: that check fails within 10 s")
    func silentServer() throws {
        let world = try DiagnoseEchoWorld()
        let stub = try DiagnoseStubServer(.silent)
        let run = try EchoRun.run(try world.flags(["--url": "ws://127.0.0.1:\(stub.port)"]))
        try run.expectFailure(at: "connection_established", saying: ["never sent connection_established", "proxy buffering"])
        #expect(try run.statuses()["websocket_upgrade"] == "pass")
    }

    @Test("an expired self-signed certificate: tls fails saying it expired")
    func expiredCertificate() throws {
        let world = try DiagnoseEchoWorld()
        let stub = try DiagnoseStubServer(.expiredTLS)
        let run = try EchoRun.run(try world.flags(["--url": "wss://localhost:\(stub.port)"]))
        try run.expectFailure(at: "tls", saying: ["has expired", "renew"])
        let tls = try #require(try run.checks().first { $0["name"] as? String == "tls" })
        #expect((tls["detail"] as? String)?.contains("2 days ago") == true, "\(tls)")
    }
}
