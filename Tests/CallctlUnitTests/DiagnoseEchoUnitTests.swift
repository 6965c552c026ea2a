@testable import CallctlCommands
@testable import Diagnostics
import Foundation
import PusherProtocol
import Testing
import TimeUnits

/// The pure parts of `diagnose echo`: settings validation, the token's subject, the report's
/// ordering and redaction, verdicts and the renderers.
@Suite("diagnose echo: pure parts")
struct DiagnoseEchoUnitTests {
    static let app = PusherApp(id: "1", key: "key-1", secret: "secret-value-1")

    static func target(_ url: String = "wss://ws.example.org", channel: String = "private-users.7",
                       presence: String? = nil) throws(EchoTargetError) -> EchoTarget {
        try EchoTarget(url: url, app: app, authURL: "https://app.example.org/broadcasting/auth", token: "token-value-1",
                       channel: channel, presenceChannel: presence)
    }

    @Test("a URL gives scheme, host, port (443/80 by default, IPv6 without brackets) and pusher-js's socket URL")
    func urls() throws {
        let secure = try Self.target()
        #expect(secure.secure && secure.host == "ws.example.org" && secure.port == 443)
        #expect(secure.socketURL == "wss://ws.example.org:443/app/key-1?protocol=7&client=callctl&version=1.0&flash=false")
        #expect(secure.httpOrigin == "https://ws.example.org:443")
        let plain = try Self.target("ws://127.0.0.1:8080")
        #expect(!plain.secure && plain.port == 8080 && plain.hostPort == "127.0.0.1:8080")
        let six = try Self.target("ws://[::1]")
        #expect(six.host == "::1" && six.port == 80 && six.hostPort == "[::1]:80")
    }

    @Test("bad settings are refused with a sentence naming the flag", arguments: [
        ("http://ws.example.org", "private-users.7", nil, "--url must be"),
        ("wss://", "private-users.7", nil, "--url must be"),
        ("wss://ws.example.org", "news", nil, "--channel must be a channel starting with private- or presence-"),
        ("wss://ws.example.org", "private-bad name", nil, "--channel must be"),
        ("wss://ws.example.org", "private-users.7", "private-users.7", "--presence-channel must be a channel starting with presence-"),
        ("wss://127.0.0.1:443", "private-users.7", nil, "--url wss:// needs the server's host name"),
        ("wss://[::1]:443", "private-users.7", nil, "--url wss:// needs the server's host name"),
    ] as [(String, String, String?, String)])
    func refusals(url: String, channel: String, presence: String?, message: String) {
        do {
            _ = try Self.target(url, channel: channel, presence: presence)
            Issue.record("accepted \(url) \(channel) \(presence ?? "-")")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("the token's user id is read from a JWT's sub, number or string; nil for other tokens")
    func subject() {
        func jwt(_ claims: String) -> String {
            "e30." + Data(claims.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "") + ".sig"
        }
        #expect(AuthEndpoint.subject(ofToken: jwt("{\"sub\":42}")) == 42)
        #expect(AuthEndpoint.subject(ofToken: jwt("{\"sub\":\"7\"}")) == 7)
        #expect(AuthEndpoint.subject(ofToken: jwt("{\"sub\":\"abc\"}")) == nil)
        #expect(AuthEndpoint.subject(ofToken: "1|laravel-sanctum-token") == nil)
    }

    @Test("the report lists every check in order, skips the unreached naming the failure, and redacts secrets")
    func report() async {
        var recorder = CheckRecorder<EchoCheckName>()
        await recorder.run(.dns) { Finding.pass("resolves", ()) }
        await recorder.run(.tcp) { Finding<Void>.fail("echoed secret-value-1 and token-value-1", verdict: "fix secret-value-1") }
        let report = recorder.report(redacting: ["secret-value-1", "token-value-1"])
        #expect(report.checks.map(\.name) == EchoCheckName.allCases)
        #expect(report.status == .fail && report.firstFailure?.name == .tcp)
        #expect(report.checks[1].detail == "echoed <redacted> and <redacted>" && report.checks[1].verdict == "fix <redacted>")
        #expect(report.checks.dropFirst(2).allSatisfy { $0.status == .skip && $0.detail == "not run: tcp failed" })
    }

    @Test("pusher:error codes map to verdicts; 4001 names the key and REVERB_APP_KEY")
    func errorVerdicts() throws {
        let target = try Self.target()
        #expect(SocketChecks.errorVerdict(4001, target: target)
                == "the server does not know app key key-1: REVERB_APP_KEY differs between the app and the WebSocket server")
        #expect(SocketChecks.errorVerdict(4000, target: target).contains("wss://"))
        #expect(AuthChecks.refusalVerdict(503, reason: "boom", channel: "c", url: "u").contains("broken (503 boom)"))
        #expect(AuthChecks.refusalVerdict(403, reason: "not_participant", channel: "private-users.7", url: "u").contains("private-users.7"))
    }

    @Test("JUnit escapes markup and drops control characters; the summary names the first failure or a security hole")
    func renderers() {
        #expect(JUnitReport.escape("a<b & \"c\"\n\u{1}'") == "a&lt;b &amp; &quot;c&quot; &apos;")
        let failed = EchoReport(checks: [
            EchoCheck(name: .dns, status: .pass, duration: .milliseconds(1), detail: "ok"),
            EchoCheck(name: .tcp, status: .fail, duration: .milliseconds(2), detail: "refused", verdict: "nothing listens"),
        ])
        #expect(DiagnoseRenderer.summary(failed) == "FAIL at tcp: nothing listens (1 passed, 0 warned, 1 failed, 0 skipped)")
        let hole = EchoReport(checks: [
            EchoCheck(name: .refusesNoToken, status: .fail, duration: .zero, detail: "200", verdict: "SECURITY", security: true),
        ])
        #expect(DiagnoseRenderer.summary(hole).hasPrefix("SECURITY FAILURE (refuses_no_token)"))
        #expect(Duration.microseconds(1234).roundedMilliseconds == 1.234)
    }
}
