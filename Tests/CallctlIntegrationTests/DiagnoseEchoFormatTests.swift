import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `callctl diagnose echo`'s outputs and exit codes: text lines, the JSON and JUnit shapes,
/// secrets never printed, 2 when the diagnosis cannot run.
@Suite("callctl diagnose echo: formats and exit codes", .serialized)
struct DiagnoseEchoFormatTests {
    static let names = ["dns", "tcp", "tls", "websocket_upgrade", "connection_established", "app_key", "auth_endpoint",
                        "auth_signature", "subscription", "event_delivery", "refuses_no_token", "refuses_other_user",
                        "refuses_other_tenant", "presence", "external_server"]

    @Test("text: a title, one line per check in order with status and duration, a summary; no secret printed")
    func text() throws {
        let world = try DiagnoseEchoWorld()
        let flags = try world.flags(["--format": "text"])
        let run = try EchoRun.run(flags)
        #expect(run.outcome.status == 0, "\(run.outcome.output)")
        let lines = run.outcome.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.names.count + 2, "\(run.outcome.standardOutput)")
        #expect(lines.first?.hasPrefix("diagnose echo ws://127.0.0.1:\(world.port) \(world.channel)") == true)
        for (line, name) in zip(lines.dropFirst(), Self.names) {
            let words = line.split(separator: " ")
            #expect(words.count >= 2 && words[1] == name, "\(line)")
            let skipped = ["tls", "external_server"].contains(name)
            #expect(words.first == (skipped ? "SKIP" : "PASS"), "\(line)")
            #expect(skipped || line.contains(" ms "), "\(line)")
        }
        #expect(lines.last?.hasPrefix("PASS: 13 passed, 0 warned, 0 failed, 2 skipped") == true, "\(lines.last ?? "")")
        for secret in [ServeProcess.appSecret, try world.token(), try world.serve.token(world.stranger)] {
            #expect(!run.outcome.output.contains(secret))
        }
    }

    @Test("json: status and checks with name, status, duration_ms, detail, verdict; the failure's verdict, skips after it")
    func json() throws {
        let world = try DiagnoseEchoWorld()
        let run = try EchoRun.run(try world.flags(["--app-key": "wrong-key"]))
        #expect(run.outcome.status == 1)
        let json = try run.outcome.json()
        #expect(json["status"] as? String == "fail")
        let checks = try run.checks()
        #expect(checks.map { $0["name"] as? String ?? "" } == Self.names)
        for check in checks {
            #expect(Set(check.keys).isSuperset(of: ["name", "status", "duration_ms", "detail", "verdict"]), "\(check)")
            #expect(check["duration_ms"] is NSNumber, "\(check)")
            #expect((check["status"] as? String == "fail") == (check["verdict"] is String), "\(check)")
        }
    }

    @Test("junit: well-formed XML, one testcase per check, the failure with the verdict as message, skipped cases")
    func junit() throws {
        let world = try DiagnoseEchoWorld()
        let run = try EchoRun.run(try world.flags(["--app-key": "wrong-key", "--format": "junit"]))
        #expect(run.outcome.status == 1, "\(run.outcome.output)")
        let document = try XMLDocument(xmlString: run.outcome.standardOutput)
        let cases = try document.nodes(forXPath: "//testsuite/testcase").compactMap { $0 as? XMLElement }
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue ?? "" } == Self.names)
        let failures = try document.nodes(forXPath: "//testcase/failure").compactMap { $0 as? XMLElement }
        #expect(failures.count == 1)
        #expect(failures.first?.attribute(forName: "message")?.stringValue?.contains("does not know app key wrong-key") == true)
        #expect((failures.first?.parent as? XMLElement)?.attribute(forName: "name")?.stringValue == "app_key")
        let suite = try #require(try document.nodes(forXPath: "//testsuite").first as? XMLElement)
        #expect(suite.attribute(forName: "tests")?.stringValue == "\(Self.names.count)")
        #expect(suite.attribute(forName: "failures")?.stringValue == "1")
        #expect(suite.attribute(forName: "skipped")?.stringValue == "\(try document.nodes(forXPath: "//testcase/skipped").count)")
    }

    @Test("exit 2 with a sentence when the diagnosis cannot run: bad format or timeout, missing flag, unreadable env file")
    func cannotRun() throws {
        let base = ["--url", "ws://127.0.0.1:9", "--app-id", "1", "--app-key", "k", "--app-secret", "s",
                    "--auth-url", "http://127.0.0.1:9/broadcasting/auth", "--token", "t", "--channel", "private-users.1"]
        let cases: [([String], String)] = [
            (base + ["--format", "yaml"], "--format must be text, json or junit"),
            (base + ["--timeout", "0"], "--timeout takes seconds"),
            (Array(base.dropLast(2)), "give --channel"),
            (base + ["--channel", "public-news"], "--channel must be a channel starting with private- or presence-"),
            (["--token", "t", "--channel", "private-users.1", "--env-file", "/nonexistent/.env"], "cannot read the env file /nonexistent/.env"),
            (["--token", "t", "--channel", "private-users.1", "--app-id", "1", "--app-key", "k", "--app-secret", "s"],
             "give --url or set REVERB_HOST"),
            (base + ["--url", "http://127.0.0.1:9"], "--url must be ws://host:port or wss://host:port"),
        ]
        for (arguments, message) in cases {
            let run = try EchoRun.run(arguments, environment: ["REVERB_HOST": nil, "APP_URL": nil, "REVERB_APP_ID": nil,
                                                               "REVERB_APP_KEY": nil, "REVERB_APP_SECRET": nil])
            #expect(run.outcome.status == 2, "\(arguments): \(run.outcome.output)")
            #expect(run.outcome.standardError.contains(message), "\(arguments): \(run.outcome.standardError)")
            #expect(run.outcome.standardOutput.isEmpty)
        }
    }

    @Test("--help explains the checks, the .env defaults and the exit codes, with examples")
    func help() throws {
        let run = try EchoRun.run(["--help"])
        #expect(run.outcome.status == 0)
        for phrase in ["REVERB_APP_SECRET", "APP_URL", "Exit codes", "callctl diagnose echo --env-file", "--foreign-token", "junit"] {
            #expect(run.outcome.standardOutput.contains(phrase), "\(phrase)")
        }
    }
}
