import Foundation
import LocalServices
import Testing

/// `callctl probe turn` and `probe ice` against a real coturn on loopback, with long-term
/// users and with TURN REST credentials from a shared secret.
@Suite(.serialized)
struct ProbeTurnTests {
    static let password = "turn-test-password-4711"
    static let secret = "turn-test-shared-secret-0815"
    static let user = ThrowawayCoturn.Authentication.user(name: "probe", password: password)
    static let shared = ThrowawayCoturn.Authentication.sharedSecret(secret)
    static let steps = ["allocate-challenge", "allocate-authenticated", "create-permission", "relay-inbound", "relay-outbound", "refresh"]

    @Test(arguments: ["udp", "tcp", "tls"])
    func relaysWithStaticCredentials(transport: String) throws {
        try withCoturn(Self.user) { server in
            let run = try ProbeCLI.run(["turn", server.uri("turn", transport), "--username", "probe", "--password", Self.password,
                                        "--format", "json"] + server.trust(transport))
            try expectRelayed(run, transport: transport)
        }
    }

    @Test(arguments: ["udp", "tcp", "tls"])
    func relaysWithSharedSecret(transport: String) throws {
        try withCoturn(Self.shared) { server in
            let run = try ProbeCLI.run(["turn", server.uri("turn", transport), "--secret", Self.secret, "--ttl", "60",
                                        "--format", "json"] + server.trust(transport))
            try expectRelayed(run, transport: transport)
        }
    }

    @Test func secretFromTheEnvironment() throws {
        try withCoturn(Self.shared) { server in
            let run = try ProbeCLI.run(["turn", server.uri("turn", "udp"), "--format", "json"],
                                       environment: ["CALLCTL_TURN_SECRET": Self.secret])
            try expectRelayed(run, transport: "udp")
        }
    }

    @Test("an empty --secret (an unset \"$CALLCTL_TURN_SECRET\"), --username or --password is refused like a missing one, saying what to do")
    func emptyCredentialsAreRefused() throws {
        try withCoturn(Self.shared) { server in
            let uri = server.uri("turn", "udp")
            for arguments in [["--secret", ""], ["--username", "", "--password", "p"], ["--username", "probe", "--password", ""], []] {
                let run = try ProbeCLI.run(["turn", uri, "--format", "nagios"] + arguments, environment: ["CALLCTL_TURN_SECRET": ""])
                #expect(run.status == 3, "\(arguments): \(run.stdout)\(run.stderr)")
                #expect(run.stdout.hasPrefix("TURN UNKNOWN - "), "\(arguments): \(run.stdout)")
                #expect(run.stderr.contains("set CALLCTL_TURN_SECRET, or pass --env-file /etc/callctl/callctl.env"), "\(run.stderr)")
                #expect(!run.stdout.contains("401"), "\(arguments): \(run.stdout)")
            }
        }
    }

    @Test("--env-file gives probe ice its servers and secret (an empty variable in the environment does not hide them); never printed")
    func iceFromTheEnvFile() throws {
        try withCoturn(Self.shared) { server in
            let directory = try makeScratchDirectory("callctl-probe-env")
            defer { try? FileManager.default.removeItem(at: directory) }
            let envFile = directory.appendingPathComponent("callctl.env").path
            try "CALLCTL_ICE_SERVERS=\(server.uri("stun", "udp")),\(server.uri("turn", "udp"))\nCALLCTL_TURN_SECRET=\(Self.secret)\n"
                .write(toFile: envFile, atomically: true, encoding: .utf8)
            let ice = try ProbeCLI.run(["ice", "--env-file", envFile, "--format", "json"], environment: ["CALLCTL_TURN_SECRET": ""])
            #expect(ice.status == 0, "\(ice.stdout)\(ice.stderr)")
            #expect(try ice.checkNames().count == 3)
            let turn = try ProbeCLI.run(["turn", server.uri("turn", "tcp"), "--env-file", envFile])
            #expect(turn.status == 0, "\(turn.stdout)\(turn.stderr)")
            #expect(!(ice.outcome.output + turn.outcome.output).contains(Self.secret))
            let missing = try ProbeCLI.run(["ice", "--env-file", directory.appendingPathComponent("absent.env").path])
            #expect(missing.status == 3 && missing.stderr.contains("cannot read the env file"), "\(missing.stderr)")
        }
    }

    @Test func wrongPasswordFailsAuthentication() throws {
        try withCoturn(Self.user) { server in
            let run = try ProbeCLI.run(["turn", server.uri("turn", "udp"), "--username", "probe", "--password", "wrong-password-1234",
                                        "--format", "nagios"])
            #expect(run.status == 2)
            #expect(run.stdout.hasPrefix("TURN CRITICAL - "))
            #expect(run.stdout.contains("allocate-authenticated"))
            #expect(run.stdout.contains("401"))
            #expect(run.stdout.contains("authentication failed"))
            #expect(!run.outcome.output.contains("wrong-password-1234"))
        }
    }

    @Test func wrongSecretFailsAuthentication() throws {
        try withCoturn(Self.shared) { server in
            let run = try ProbeCLI.run(["turn", server.uri("turn", "tcp"), "--secret", "not-the-secret-9876", "--format", "json"])
            #expect(run.status == 2)
            let check = try #require(try run.checks()["allocate-authenticated"])
            #expect(check["status"] as? String == "CRITICAL")
            #expect((check["detail"] as? String)?.contains("authentication failed") == true)
            #expect(try run.checkNames() == ["tcp-connect", "allocate-challenge", "allocate-authenticated"])
            #expect(!run.outcome.output.contains("not-the-secret-9876"))
        }
    }

    @Test(arguments: ["text", "json", "nagios"])
    func secretsNeverAppear(format: String) throws {
        try withCoturn(Self.user) { server in
            let good = try ProbeCLI.run(["turn", server.uri("turn", "udp"), "--username", "probe", "--password", Self.password,
                                         "--format", format])
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            #expect(!good.outcome.output.contains(Self.password))
            let secret = try ProbeCLI.run(["turn", server.uri("turn", "udp"), "--secret", Self.secret, "--format", format])
            #expect(secret.status == 2)
            #expect(!secret.outcome.output.contains(Self.secret))
        }
    }

    @Test func nothingListeningIsCriticalWithinTheTimeout() throws {
        let port = try LocalHost.freePort()
        let run = try ProbeCLI.run(["turn", "turn:127.0.0.1:\(port)?transport=tcp", "--secret", Self.secret, "--timeout", "2"])
        #expect(run.status == 2)
        #expect(run.stdout.contains("tcp-connect"))
        #expect(run.stdout.contains("refused"))
        #expect(run.elapsed < .seconds(3))
    }

    @Test func iceProbesEveryServerAndTheWorstWins() throws {
        try withCoturn(Self.shared) { server in
            let servers = [server.uri("stun", "udp"), server.uri("turn", "tcp"), server.uri("turn", "udp")].joined(separator: ",")
            let good = try ProbeCLI.run(["ice", "--format", "json"],
                                        environment: ["CALLCTL_ICE_SERVERS": servers, "CALLCTL_TURN_SECRET": Self.secret])
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            let json = try good.json()
            let reports = try #require(json["servers"] as? [[String: Any]])
            #expect(reports.map { $0["probe"] as? String } == ["stun", "stun", "turn", "stun", "turn"])
            #expect((json["relayed_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(try good.checkNames().count == 5)
            let dead = try LocalHost.freePort()
            let bad = try ProbeCLI.run(["ice", "--uri", server.uri("stun", "udp"), "--uri", "stun:127.0.0.1:\(dead)",
                                        "--format", "nagios", "--timeout", "2"], environment: ["CALLCTL_TURN_SECRET": Self.secret])
            #expect(bad.status == 2)
            #expect(bad.stdout.hasPrefix("ICE CRITICAL - 1 of 2 probes CRITICAL"))
        }
    }

    @Test(arguments: [
        ["turn", "turn:127.0.0.1"], ["turn", "turn:127.0.0.1", "--username", "u"],
        ["turn", "turn:127.0.0.1", "--username", "u", "--password", "p", "--secret", "s"],
        ["turn", "stun:127.0.0.1", "--secret", "s"], ["turn", "turn:127.0.0.1", "--secret", "s", "--ttl", "0"],
        ["turn", "turn:127.0.0.1", "--ttl", "60"], ["ice"], ["ice", "--uri", "turn:127.0.0.1"],
        ["ice", "--uri", "stun:127.0.0.1", "--uri", "bogus"],
    ])
    func usageErrorsAreUnknown(arguments: [String]) throws {
        let run = try ProbeCLI.run(arguments)
        #expect(run.status == 3, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Error: "))
    }

    private func expectRelayed(_ run: ProbeCLI.Run, transport: String) throws {
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let json = try run.json()
        #expect(json["status"] as? String == "OK")
        #expect((json["relayed_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect((json["mapped_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect((json["rtt_ms"] as? Double ?? 0) > 0)
        let connect = ["udp": [], "tcp": ["tcp-connect"], "tls": ["tcp-connect", "tls-handshake"]][transport] ?? []
        #expect(try run.checkNames() == connect + Self.steps)
        for (name, check) in try run.checks() {
            #expect(check["status"] as? String == "OK", "\(name): \(check["detail"] ?? "")")
        }
    }
}
