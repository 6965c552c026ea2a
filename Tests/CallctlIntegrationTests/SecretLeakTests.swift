import Foundation
import LocalServices
import PusherProtocol
import Testing

/// Configured secrets (JWT secret, Pusher app secret, TURN secret, passwords inside URLs) and
/// bearer tokens never appear in the daemon's log, in any response body, in `/metrics`, in
/// `--help`, or in what the CLI prints on errors. Every secret is a distinctive
/// `leak-canary-…` value, so a match is unambiguous.
@Suite("secrets never appear in logs, errors, --help or /metrics", .serialized)
struct SecretLeakTests {
    static let jwtSecret = "leak-canary-jwt-secret-3c9e0f71-7b24d5a098e6"
    static let appSecret = "leak-canary-app-secret-a81d27b4"
    static let turnSecret = "leak-canary-turn-secret-5f0b6e29"
    static let urlSecret = "leak-canary-url-secret-d4172c08"
    static let dbPassword = "leak-canary-db-password-90ab13ce"
    /// A secret a client wrongly uses: the daemon never sees it configured, but it must not echo it either.
    static let wrongSecret = "leak-canary-wrong-secret-6e2f7a55"

    /// The configured secrets.
    static let configured = [jwtSecret, appSecret, turnSecret, urlSecret, dbPassword]

    /// Records an issue naming `label` and the secret for each of `secrets` that `text` contains
    /// (and for a URL-encoded form of it).
    static func expectNoLeak(_ text: String, _ label: String, _ secrets: [String],
                             sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets {
            let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret
            let found = text.contains(secret) || text.contains(encoded)
            #expect(!found, "\(label) shows the secret \(secret): \(excerpt(text, secret))", sourceLocation: sourceLocation)
        }
    }

    /// Up to 300 characters around the first occurrence of `secret` in `text`.
    static func excerpt(_ text: String, _ secret: String) -> String {
        guard let range = text.range(of: secret) else { return String(text.prefix(300)) }
        let start = text.index(range.lowerBound, offsetBy: -150, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 150, limitedBy: text.endIndex) ?? text.endIndex
        return String(text[start..<end])
    }

    /// A JSON value as text.
    static func text(_ object: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: object)).map { String(decoding: $0, as: UTF8.self) } ?? "\(object)"
    }

    // MARK: - serve

    @Test("serve at trace level: lifecycle, hub protocol, Pusher API and channel auth refusals leak nothing into the log, bodies or /metrics")
    func serveTraffic() throws {
        let s = try ServeWorld(["--log-level", "trace"], environment: [
            "CALLCTL_JWT_SECRET": Self.jwtSecret, "REVERB_APP_SECRET": Self.appSecret,
            "CALLCTL_ICE_SERVERS": "stun:127.0.0.1:3478,turn:127.0.0.1:3478", "CALLCTL_TURN_SECRET": Self.turnSecret,
        ])
        let server = s.server
        func token(_ user: Int64) throws -> String {
            try ServeToken.hs256(ServeToken.claims(user: user), secret: Self.jwtSecret)
        }
        let doctorToken = try token(s.doctor)
        let patientToken = try token(s.patient)
        let stranger = try s.person("doctor")
        let strangerToken = try token(stranger.userId)
        let forged = try ServeToken.hs256(ServeToken.claims(user: s.doctor), secret: Self.wrongSecret)
        let expired = try ServeToken.hs256(ServeToken.claims(user: s.doctor, expiresIn: -600), secret: Self.jwtSecret)
        let secrets = Self.configured + [Self.wrongSecret]
        let tokens = [doctorToken, patientToken, strangerToken, forged, expired]
        var bodies: [(String, ServeResponse)] = []
        func send(_ label: String, _ method: String, _ path: String, token: String? = nil, json: Any? = nil,
                  body: Data? = nil, headers: [(String, String)] = []) throws -> ServeResponse {
            let response = try server.request(method, path, token: token, json: json, body: body, headers: headers)
            bodies.append((label, response))
            return response
        }

        // Lifecycle, accepted and refused.
        let appointment = try s.appointment()
        let ice = try send("ice-servers", "GET", "/appointments/\(appointment)/call/ice-servers", token: patientToken)
        #expect(ice.status == 200, "\(ice.text)")
        #expect(ice.text.contains("turn:"), "the ice-servers answer has no TURN entry: \(ice.text)")
        let ring = try send("request", "POST", "/appointments/\(appointment)/call/request", token: doctorToken,
                            json: ["peerId": "doctor-1"])
        #expect(ring.status == 200, "\(ring.text)")
        let callId = ring.json["callId"] as? String ?? "none"
        #expect(try send("forged token", "POST", "/appointments/\(appointment)/call/accept", token: forged,
                         json: ["callId": callId]).status == 401)
        #expect(try send("expired token", "GET", "/appointments/\(appointment)/call", token: expired).status == 401)
        #expect(try send("garbage token", "GET", "/appointments/\(appointment)/call", token: "not.a.jwt").status == 401)
        #expect(try send("no token", "GET", "/appointments/\(appointment)/call").status == 401)
        #expect(try send("secret as token", "GET", "/appointments/\(appointment)/call", token: Self.jwtSecret).status == 401)
        let wrongUser = try send("wrong user accept", "POST", "/appointments/\(appointment)/call/accept", token: strangerToken,
                                 json: ["callId": callId])
        #expect([403, 404].contains(wrongUser.status), "\(wrongUser.text)")
        let wrongUserIce = try send("wrong user ice", "GET", "/appointments/\(appointment)/call/ice-servers", token: strangerToken)
        #expect([403, 404].contains(wrongUserIce.status), "\(wrongUserIce.text)")
        _ = try send("malformed body", "POST", "/appointments/\(appointment)/call/accept", token: patientToken, body: Data("{".utf8),
                     headers: [("Content-Type", "application/json")])
        #expect(try send("accept", "POST", "/appointments/\(appointment)/call/accept", token: patientToken,
                         json: ["callId": callId, "peerId": "patient-1"]).status == 200)
        _ = try send("end", "POST", "/appointments/\(appointment)/call/end", token: doctorToken, json: ["callId": callId])

        // /broadcasting/auth: one grant and the refusals.
        let channel = "private-appointments.\(appointment)"
        func auth(_ label: String, _ channel: String, token: String?) throws -> ServeResponse {
            try send(label, "POST", "/broadcasting/auth", token: token, json: ["socket_id": "1234.5678", "channel_name": channel])
        }
        #expect(try auth("auth granted", channel, token: doctorToken).status == 200)
        #expect(try auth("auth no token", channel, token: nil).status == 401)
        #expect(try auth("auth forged", channel, token: forged).status == 401)
        #expect(try auth("auth expired", channel, token: expired).status == 401)
        #expect(try auth("auth other user", channel, token: strangerToken).status == 403)
        #expect(try auth("auth other user's channel", "private-users.\(s.patient)", token: doctorToken).status == 403)
        #expect(try auth("auth bad channel", "bad name!", token: doctorToken).status >= 400)

        // The Pusher HTTP API: a wrong signature, a stale timestamp, an unknown app.
        let now = Int(Date().timeIntervalSince1970)
        let event: [String: Any] = ["name": "greet", "channel": "public-news", "data": "{\"x\":1}"]
        let wrong = PusherPeer(server: server, secret: Self.wrongSecret)
        let wrongAnswer = try wrong.trigger(event, timestamp: now)
        bodies.append(("api wrong signature", wrongAnswer))
        #expect(wrongAnswer.status == 401, "\(wrongAnswer.text)")
        // The signature the daemon expected must not be revealed either.
        let right = PusherPeer(server: server, secret: Self.appSecret)
        let expected = PusherRequestSigner.sign(method: "POST", path: "/apps/\(ServeProcess.appID)/events", query: [:],
                                                body: try JSONSerialization.data(withJSONObject: event),
                                                app: PusherApp(id: ServeProcess.appID, key: ServeProcess.appKey, secret: Self.appSecret),
                                                timestamp: now)
        let stale = try right.trigger(event, timestamp: now - 3600)
        bodies.append(("api stale timestamp", stale))
        #expect(stale.status == 401, "\(stale.text)")
        var unknownApp = right
        unknownApp.appID = "9999"
        let unknown = try unknownApp.trigger(event)
        bodies.append(("api unknown app", unknown))
        #expect(unknown.status >= 400, "\(unknown.text)")
        let accepted = try right.trigger(event)
        bodies.append(("api accepted", accepted))
        #expect(accepted.status == 200, "\(accepted.text)")

        // The WebSocket hub: errors, wrong signatures, signin; and a wrong key.
        let protocolRun = try HubPeer.run("protocol", [server], ["secret": Self.appSecret])
        #expect(protocolRun["private_wrong"] != nil)
        let refused = try HubPeer.run("refused", [server], ["secret": Self.appSecret, "use_key": "leak-wrong-key"])

        let metrics = try send("metrics", "GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("hb_requests"), "\(metrics.text.prefix(500))")
        let running = server.standardError
        let ending = try server.stop()
        #expect(ending.status == 0, "\(ending.standardError.suffix(2000))")
        #expect(ending.standardError.contains("call transition"), "the log shows no call transition")
        #expect(ending.standardError.count > 1000, "the trace log is suspiciously short: \(ending.standardError)")

        let everything = secrets + tokens
        Self.expectNoLeak(running, "serve's stderr while running", everything)
        Self.expectNoLeak(ending.standardError, "serve's stderr after stop", everything + [expected["auth_signature"] ?? "-"])
        for (label, response) in bodies {
            Self.expectNoLeak(response.text, "the \(label) response body", everything)
            Self.expectNoLeak(response.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n"),
                              "the \(label) response headers", everything)
        }
        if let signature = expected["auth_signature"] {
            Self.expectNoLeak(wrongAnswer.text, "the wrong-signature answer (expected signature)", [signature])
        }
        Self.expectNoLeak(Self.text(protocolRun), "the hub protocol scenario", everything)
        Self.expectNoLeak(Self.text(refused), "the hub refused scenario", everything)
        Self.expectNoLeak(metrics.text, "/metrics", everything)
    }

    // MARK: - --help

    /// The subcommand paths every `--help` below `callctl` lists, found by walking the SUBCOMMANDS sections.
    static func subcommands(_ environment: [String: String?]) throws -> [[String]: String] {
        var seen: [[String]: String] = [:]
        var queue: [[String]] = [[]]
        while let path = queue.popLast() {
            guard seen[path] == nil, path.count < 4 else { continue }
            let outcome = try CLI.run(path + ["--help"], environment: environment)
            seen[path] = outcome.output
            #expect(outcome.status == 0, "callctl \(path.joined(separator: " ")) --help: \(outcome.output)")
            var inSection = false
            for line in outcome.standardOutput.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
                guard inSection else { continue }
                if !line.isEmpty && !line.hasPrefix(" ") { inSection = false; continue }
                // "  name   Description": exactly two spaces, then the name.
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
                let name = line.dropFirst(2).prefix { !$0.isWhitespace }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }), name != "help" else { continue }
                queue.append(path + [String(name)])
            }
        }
        return seen
    }

    @Test("--help of callctl and every subcommand, run with every secret in the environment, shows none of them")
    func help() throws {
        let environment: [String: String?] = [
            "CALLCTL_JWT_SECRET": Self.jwtSecret, "REVERB_APP_SECRET": Self.appSecret, "REVERB_APP_KEY": "leak-key",
            "REVERB_APP_ID": "77", "CALLCTL_TURN_SECRET": Self.turnSecret,
            "CALLCTL_PUSHER_URL": "http://leak-key:\(Self.urlSecret)@127.0.0.1:9/apps/77",
            "DATABASE_URL": "postgresql://callctl:\(Self.dbPassword)@127.0.0.1:9/callctl",
            "DB_PASSWORD": Self.dbPassword, "PGPASSWORD": Self.dbPassword,
        ]
        let helps = try Self.subcommands(environment)
        let expected = [
            ["migrate", "up"], ["migrate", "down"], ["migrate", "status"], ["migrate", "plan"], ["jobs", "no-show"], ["jobs", "reap"],
            ["config", "get"], ["config", "set"], ["config", "unset"], ["config", "list"], ["probe", "stun"], ["probe", "turn"], ["probe", "ice"], ["kpi"],
            ["serve"], ["outbox", "status"], ["outbox", "flush"], ["diagnose", "echo"], ["diagnose", "db"], ["recordings", "list"],
            ["recordings", "show"], ["channels", "explain"], ["channels", "rules", "show"], ["channels", "rules", "check"],
            ["channels", "rules", "set"], ["demo"],
        ]
        for path in expected {
            #expect(helps[path] != nil, "the walk did not reach callctl \(path.joined(separator: " ")): \(helps.keys.sorted { "\($0)" < "\($1)" })")
        }
        #expect(helps.count >= expected.count + 1)
        for (path, output) in helps {
            Self.expectNoLeak(output, "callctl \(path.joined(separator: " ")) --help", Self.configured)
        }
        // `callctl help <subcommand>` prints the same pages another way.
        for path in expected.prefix(3) + [["serve"], ["outbox", "flush"], ["diagnose", "echo"], ["probe", "turn"]] {
            let outcome = try CLI.run(["help"] + path, environment: environment)
            Self.expectNoLeak(outcome.output, "callctl help \(path.joined(separator: " "))", Self.configured)
        }
    }

    // MARK: - CALLCTL_PUSHER_URL with credentials

    @Test("outbox flush and status with KEY:SECRET@ in CALLCTL_PUSHER_URL and nothing listening: the secret is never shown")
    func outboxTargetDown() throws {
        let world = try OutboxWorld()
        try world.addRows(3)
        let port = try LocalHost.freePort()
        let url = "http://\(OutboxWorld.app.key):\(Self.urlSecret)@127.0.0.1:\(port)/apps/\(OutboxWorld.app.id)"
        for format in ["text", "json"] {
            let flush = try world.spawn(["outbox", "flush", "--format", format], pusher: ["CALLCTL_PUSHER_URL": url])
            #expect(flush.status == 1, "\(flush.output)")
            #expect(flush.output.contains("\(port)"), "the failure does not name the target: \(flush.output)")
            Self.expectNoLeak(flush.output, "outbox flush --format \(format) (target down)", [Self.urlSecret])
            let status = try world.spawn(["outbox", "status", "--format", format], pusher: ["CALLCTL_PUSHER_URL": url])
            Self.expectNoLeak(status.output, "outbox status --format \(format)", [Self.urlSecret])
        }
        #expect(try world.count("SELECT count(*) FROM outbox WHERE last_error IS NOT NULL") > 0)
        #expect(try world.count("SELECT count(*) FROM outbox WHERE last_error LIKE '%\(Self.urlSecret)%'") == 0)
    }

    /// Invalid `CALLCTL_PUSHER_URL` values, each carrying ``urlSecret``.
    static var invalidURLs: [String] {
        let secret = urlSecret
        return [
            "ftp://key:\(secret)@127.0.0.1/apps/1",
            "http://key:\(secret)@127.0.0.1:70000/apps/1",
            "http://key:\(secret)@127.0.0.1/apps/1?x=\(secret)",
            "http://key:\(secret)@127.0.0.1/other/1",
            "http://key:\(secret)@127.0.0.1/apps/bad%20id!",
            "http://key:\(secret)@/apps/1",
            "http://key:\(secret)@bad host/apps/1",
            "http://:\(secret)@127.0.0.1/apps/1",
            "\(secret)",
        ]
    }

    @Test("an invalid CALLCTL_PUSHER_URL carrying a secret: outbox flush and serve refuse without showing it")
    func invalidPusherURL() throws {
        let world = try OutboxWorld()
        try world.addRows(1)
        for url in Self.invalidURLs {
            let flush = try world.spawn(["outbox", "flush"], pusher: ["CALLCTL_PUSHER_URL": url])
            #expect(flush.status == 78, "outbox flush with \(url): \(flush.output)")
            Self.expectNoLeak(flush.output, "outbox flush with CALLCTL_PUSHER_URL=\(url)", [Self.urlSecret])
        }
        let database = try TestDatabase()
        for url in Self.invalidURLs {
            let environment: [String: String?] = ["CALLCTL_PUSHER_URL": url, "CALLCTL_JWT_SECRET": Self.jwtSecret,
                                                  "REVERB_APP_SECRET": Self.appSecret]
            do {
                let ending = try ServeProcess.refusal(database, ["--log-level", "trace"], environment: environment)
                #expect(ending.status == 78, "serve with \(url): \(ending.standardError)")
                #expect(!ending.standardError.isEmpty, "serve with \(url) refused silently")
                Self.expectNoLeak(ending.standardError, "serve's refusal of CALLCTL_PUSHER_URL=\(url)",
                                  [Self.urlSecret, Self.jwtSecret, Self.appSecret])
            } catch {
                Issue.record("serve with CALLCTL_PUSHER_URL=\(url) did not refuse")
                Self.expectNoLeak("\(error)", "serve with CALLCTL_PUSHER_URL=\(url)", [Self.urlSecret, Self.jwtSecret, Self.appSecret])
            }
        }
    }

    // MARK: - database passwords libpq cannot parse

    /// A password with a `%` that starts no `%XX` escape, and a space: libpq's parse errors
    /// quote such a piece of the string. Each fragment is distinctive on its own, so a message
    /// showing any part of the password is caught.
    static let pgPasswordFragments = ["S3cr", "leak-canary-pg-7d41e0", "9b2f-leak-canary-pg"]
    static var pgPassword: String { "S3cr%t-leak-canary-pg-7d41e0 9b2f-leak-canary-pg" }

    @Test("a database password libpq cannot parse (--database-url, DATABASE_URL, DB_URL or DB_PASSWORD in a .env): never shown, the fix is")
    func unparsableDatabasePassword() throws {
        let url = "postgres://u:\(Self.pgPassword.replacingOccurrences(of: " ", with: "%20"))@127.0.0.1:1/db"
        let conninfo = "host=127.0.0.1 port=1 user=u password=\(Self.pgPassword)"
        try withScratchDirectory("secret-leak-env") { directory in
            func envFile(_ name: String, _ text: String) throws -> String {
                let path = directory.appendingPathComponent(name).path
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let urlFile = try envFile("url.env", "APP_NAME=Clinic\nDB_URL='\(url)'\n")
            let passwordFile = try envFile("password.env", """
                DB_CONNECTION=pgsql
                DB_HOST=127.0.0.1
                DB_PORT=1
                DB_USERNAME=u
                DB_PASSWORD='\(Self.pgPassword)'

                """)
            // (label, arguments, environment, exit status, what the message must say)
            let cases: [(String, [String], [String: String?], Int32, String)] = [
                ("--database-url URL", ["--database-url", url], [:], 78, "%25"),
                ("DATABASE_URL URL", [], ["DATABASE_URL": url], 78, "%25"),
                ("DATABASE_URL key=value", [], ["DATABASE_URL": conninfo], 78, "single quotes"),
                ("DB_URL in a .env", ["--env-file", urlFile], [:], 78, "DB_URL in \(urlFile)"),
                // Laravel's DB_* are quoted for libpq, so the password parses; the connection is refused.
                ("DB_PASSWORD in a .env", ["--env-file", passwordFile], [:], 69, "port=1"),
            ]
            for (label, arguments, environment, status, fragment) in cases {
                for format in ["human", "json"] {
                    let outcome = try CLI.run(["migrate", "status", "--log-format", format] + arguments, environment: environment)
                    #expect(outcome.status == status, "\(label), \(format): \(outcome.output)")
                    #expect(outcome.output.contains(fragment), "\(label), \(format) does not say \(fragment): \(outcome.output)")
                    Self.expectNoLeak(outcome.output, "migrate status with \(label) (\(format))",
                                      [Self.pgPassword] + Self.pgPasswordFragments)
                }
            }
        }
    }

    @Test(".env value with an unclosed ${: the error names the file, line and variable, never the value")
    func unclosedReferenceInEnvFile() throws {
        let secret = "abc-leak-canary-env-2e8d${UNCLOSED-leak-canary-env-61fa"
        try withScratchDirectory("secret-leak-env") { directory in
            for (name, line) in [("unquoted.env", "SECRET=\(secret)"), ("quoted.env", "SECRET=\"\(secret)\"")] {
                let path = directory.appendingPathComponent(name).path
                try "APP_NAME=Clinic\n# the app's key\n\(line)\n".write(toFile: path, atomically: true, encoding: .utf8)
                let outcome = try CLI.run(["migrate", "status", "--env-file", path])
                #expect(outcome.status == 78, "\(name): \(outcome.output)")
                #expect(outcome.standardError.contains("\(path) line 3"), "\(name): \(outcome.output)")
                #expect(outcome.standardError.contains("SECRET"), "\(name) does not name the variable: \(outcome.output)")
                Self.expectNoLeak(outcome.output, "migrate status with \(name)",
                                  [secret, "abc-leak-canary-env-2e8d", "UNCLOSED-leak-canary-env-61fa", "leak-canary-env"])
            }
        }
    }

    // MARK: - diagnose echo

    @Test("diagnose echo against a real serve with a wrong --app-secret or a forged --token: neither is shown, text or json")
    func diagnoseEcho() throws {
        let world = try DiagnoseEchoWorld()
        let token = try world.token()
        let foreign = try world.serve.token(world.stranger)
        let forged = try ServeToken.hs256(ServeToken.claims(user: world.serve.doctor), secret: Self.wrongSecret)
        let cases: [(String, [String: String?], String)] = [
            ("wrong --app-secret", ["--app-secret": Self.wrongSecret], "auth_signature"),
            ("forged --token", ["--token": forged], "auth_endpoint"),
            ("healthy", [:], ""),
        ]
        for (label, overrides, failing) in cases {
            for format in ["json", "text"] {
                var flags = overrides
                flags["--format"] = format
                let run = try EchoRun.run(try world.flags(flags))
                if failing.isEmpty {
                    #expect(run.outcome.status == 0, "\(label) \(format): \(run.outcome.output)")
                } else {
                    #expect(run.outcome.status == 1, "\(label) \(format): \(run.outcome.output)")
                    if format == "json" { #expect(try run.failure().name == failing, "\(run.outcome.output)") }
                }
                Self.expectNoLeak(run.outcome.output, "diagnose echo (\(label), \(format))",
                                  [Self.wrongSecret, ServeProcess.appSecret, ServeProcess.jwtSecret, token, foreign, forged])
            }
        }
        // The same secret given through the environment instead of the flag.
        let flags = try world.flags(["--app-secret": nil, "--format": "text"])
        let run = try EchoRun.run(flags, environment: ["REVERB_APP_SECRET": Self.wrongSecret])
        #expect(run.outcome.status == 1, "\(run.outcome.output)")
        Self.expectNoLeak(run.outcome.output, "diagnose echo (REVERB_APP_SECRET wrong)", [Self.wrongSecret, token, foreign])
        Self.expectNoLeak(world.serve.server.standardError, "serve's stderr under diagnose echo", [token, foreign, forged, Self.wrongSecret])
    }
}
