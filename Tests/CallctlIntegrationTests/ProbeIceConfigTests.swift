import Foundation
import LocalServices
import Testing

/// `callctl probe ice --config FILE` with the iceServers JSON a web app hands to browsers.
@Suite(.serialized)
struct ProbeIceConfigTests {
    /// Writes `text` to `ice.json` in a scratch directory and runs `body` with its path.
    private func withConfig<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        try withScratchDirectory("callctl-ice") { directory in
            let path = directory.appendingPathComponent("ice.json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try body(path)
        }
    }

    @Test func perServerCredentialsFromTheFile() throws {
        let password = "config-file-password-123"
        try withCoturn(.user(name: "webapp", password: password)) { server in
            let text = """
                {"iceServers": [{"urls": "\(server.uri("stun", "udp"))"},
                                {"urls": ["\(server.uri("turn", "udp"))", "\(server.uri("turn", "tcp"))"],
                                 "username": "webapp", "credential": "\(password)"}]}
                """
            try withConfig(text) { path in
                let run = try ProbeCLI.run(["ice", "--config", path, "--format", "json"])
                #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
                let reports = try #require(try run.json()["servers"] as? [[String: Any]])
                #expect(reports.map { $0["probe"] as? String } == ["stun", "stun", "turn", "stun", "turn"])
                #expect(reports.allSatisfy { $0["status"] as? String == "OK" })
                #expect(!run.stdout.contains(password) && !run.stderr.contains(password))
            }
        }
    }

    /// Each bad file with the part of the message that says what is wrong with it.
    @Test(arguments: [
        (#"{"iceServers": [{"urls": "turn:127.0.0.1", "username": "only-a-name"}]}"#, "needs both username and credential"),
        (#"[{"urls": "turn:127.0.0.1"}]"#, "needs credentials"),
        (#"{"iceServers": []}"#, "lists no servers"),
        (#"{"servers": "nope"}"#, "not an ICE server list"),
        (#"[{"urls": "sctp:127.0.0.1"}]"#, "bad URI"),
    ])
    func badFilesAreUnknown(text: String, message: String) throws {
        try withConfig(text) { path in
            let run = try ProbeCLI.run(["ice", "--config", path], environment: ["CALLCTL_TURN_SECRET": nil])
            #expect(run.status == 3, "\(text): \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains(message), "\(text): \(run.stderr)")
        }
    }

    @Test func configAndURIsTogetherAreRefused() throws {
        try withConfig(#"[{"urls": "stun:127.0.0.1"}]"#) { path in
            let run = try ProbeCLI.run(["ice", "--config", path, "--uri", "stun:127.0.0.1"])
            #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("not both"), "\(run.stderr)")
        }
    }
}
