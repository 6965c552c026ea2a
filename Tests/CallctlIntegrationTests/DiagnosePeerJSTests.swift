import Foundation
import LocalServices
import Testing

/// `callctl diagnose peerjs` against callctl's broker (every check passes; a wrong secret, key or
/// path fails with its fix) and against a stand-in for the stock peerjs-server (the relay works,
/// the unbound id is admitted: a security failure).
@Suite("diagnose peerjs", .serialized)
struct DiagnosePeerJSTests {
    static func checks(_ run: CommandRunner.Outcome) -> [String: String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))) as? [String: Any]
        var out: [String: String] = [:]
        for check in object?["checks"] as? [[String: Any]] ?? [] {
            out[check["name"] as? String ?? "-"] = check["status"] as? String
        }
        return out
    }

    @Test("against callctl's broker: info, upgrade, OPEN, a second peer, the relay and the refusal of an unbound id all pass")
    func callctl() throws {
        let s = try ServeWorld()
        let url = "ws://127.0.0.1:\(s.server.port)"
        let app = ["--key", ServeProcess.appKey, "--app-secret", ServeProcess.appSecret]
        let run = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--format", "json"] + app)
        #expect(run.status == 0, "\(run.output)")
        #expect(Self.checks(run) == ["info": "pass", "websocket_upgrade": "pass", "open": "pass", "second_peer": "pass",
                                     "relay": "pass", "refuses_unbound": "pass"], "\(run.output)")
        #expect(!run.output.contains(ServeProcess.appSecret))
        let text = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url] + app)
        #expect(text.status == 0 && text.standardOutput.contains("PASS  relay") && text.standardOutput.contains("round trip"), "\(text.output)")
        #expect(try s.world.count("SELECT count(*) FROM appointment_call_events") == 0, "a diagnosis leaves no audit rows")

        let wrongSecret = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--key", ServeProcess.appKey, "--app-secret", "not-the-secret"])
        #expect(wrongSecret.status == 1 && wrongSecret.standardOutput.contains("FAIL at open") && wrongSecret.standardOutput.contains("--app-secret is not the daemon's"),
                "\(wrongSecret.output)")
        let wrongKey = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--key", "nope", "--app-secret", ServeProcess.appSecret])
        #expect(wrongKey.status == 1 && wrongKey.standardOutput.contains("does not host --key"), "\(wrongKey.output)")
        let noSecret = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--key", ServeProcess.appKey, "--no-secret"])
        #expect(noSecret.status == 1 && noSecret.standardOutput.contains("pass --app-secret"), "\(noSecret.output)")
        let wrongPath = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--path", "/elsewhere"] + app)
        #expect(wrongPath.status == 1 && wrongPath.standardOutput.contains("FAIL at info") && wrongPath.standardOutput.contains("--peerjs-path"),
                "\(wrongPath.output)")
        let usage = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", url, "--key", ServeProcess.appKey])
        #expect(usage.status == 2 && usage.standardError.contains("REVERB_APP_SECRET"), "\(usage.output)")
    }

    @Test("against a stock PeerServer: the relay works, the unbound id gets OPEN: a SECURITY failure naming callctl's broker")
    func stock() throws {
        let script = PusherPeer.packageRoot.appendingPathComponent("Tests/CallctlIntegrationTests/Peers/stock_peerserver.py").path
        let (server, port) = try PortFileProcess.start(label: "callctl-stock-peerserver", failure: "the stock PeerServer stand-in did not start") {
            _, portPath in [PusherPeer.python, script, "/myapp", portPath]
        }
        defer { server.stop() }
        let run = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", "ws://127.0.0.1:\(port)", "--path", "/myapp", "--key", "peerjs",
                               "--no-secret", "--format", "json"])
        #expect(run.status == 1, "\(run.output)")
        #expect(Self.checks(run) == ["info": "pass", "websocket_upgrade": "pass", "open": "pass", "second_peer": "pass",
                                     "relay": "pass", "refuses_unbound": "fail"], "\(run.output)")
        let text = try CLI.run(["diagnose", "peerjs", "--timeout", "20", "--url", "ws://127.0.0.1:\(port)", "--path", "/myapp", "--key", "peerjs", "--no-secret"])
        #expect(text.standardOutput.contains("SECURITY FAILURE (refuses_unbound)") && text.standardOutput.contains("callctl's broker"), "\(text.output)")
    }
}
