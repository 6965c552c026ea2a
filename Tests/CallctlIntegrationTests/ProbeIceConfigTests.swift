import Foundation
import LocalServices
import Testing

/// `callctl probe ice --config FILE` with the iceServers JSON a web app hands to browsers.
@Suite(.serialized)
struct ProbeIceConfigTests {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ice-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func perServerCredentialsFromTheFile() throws {
        let password = "config-file-password-123"
        try withCoturn(.user(name: "webapp", password: password)) { server in
            let path = try write("""
                {"iceServers": [{"urls": "\(server.uri("stun", "udp"))"},
                                {"urls": ["\(server.uri("turn", "udp"))", "\(server.uri("turn", "tcp"))"],
                                 "username": "webapp", "credential": "\(password)"}]}
                """)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let run = try ProbeCLI.run(["ice", "--config", path, "--format", "json"])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let reports = try #require(try run.json()["servers"] as? [[String: Any]])
            #expect(reports.map { $0["probe"] as? String } == ["stun", "stun", "turn", "stun", "turn"])
            #expect(reports.allSatisfy { $0["status"] as? String == "OK" })
            #expect(!run.stdout.contains(password) && !run.stderr.contains(password))
        }
    }

    @Test(arguments: [
        #"{"iceServers": [{"urls": "turn:127.0.0.1", "username": "only-a-name"}]}"#,
        #"[{"urls": "turn:127.0.0.1"}]"#,
        #"{"iceServers": []}"#,
        #"{"servers": "nope"}"#,
        #"[{"urls": "sctp:127.0.0.1"}]"#,
    ])
    func badFilesAreUnknown(text: String) throws {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try ProbeCLI.run(["ice", "--config", path], environment: ["CALLCTL_TURN_SECRET": nil])
        #expect(run.status == 3, "\(text): \(run.stdout)\(run.stderr)")
    }

    @Test func configAndURIsTogetherAreRefused() throws {
        let path = try write(#"[{"urls": "stun:127.0.0.1"}]"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ProbeCLI.run(["ice", "--config", path, "--uri", "stun:127.0.0.1"]).status == 3)
    }
}
