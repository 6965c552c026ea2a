import Foundation
import LocalServices
import Testing

/// `callctl probe stun` against a real coturn on loopback, and against servers that fail.
@Suite(.serialized)
struct ProbeStunTests {
    static let user = ThrowawayCoturn.Authentication.user(name: "probe", password: "stun-test-password")

    @Test(arguments: ["udp", "tcp", "tls"])
    func reportsTheMappedAddress(transport: String) throws {
        try withCoturn(Self.user) { server in
            let run = try ProbeCLI.run(["stun", server.uri("stun", transport), "--format", "json"] + server.trust(transport))
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            let json = try run.json()
            for key in ["status", "rtt_ms", "mapped_address", "relayed_address", "checks"] {
                #expect(json.keys.contains(key), "missing \(key)")
            }
            #expect(json["status"] as? String == "OK")
            #expect((json["mapped_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
            #expect(json["relayed_address"] is NSNull)
            #expect((json["rtt_ms"] as? Double ?? 0) > 0)
            let expected = ["udp": ["binding"], "tcp": ["tcp-connect", "binding"], "tls": ["tcp-connect", "tls-handshake", "binding"]]
            #expect(try run.checkNames() == expected[transport])
            for check in try run.checks().values {
                #expect(check["status"] as? String == "OK")
                #expect(check["duration_ms"] is Double)
                #expect(check["detail"] is String)
            }
        }
    }

    @Test func agreesWithTurnutilsStunclient() throws {
        try withCoturn(Self.user) { server in
            let reference = try CommandRunner.run(["turnutils_stunclient", "-p", "\(server.port)", "127.0.0.1"])
            #expect(reference.status == 0, "\(reference.output)")
            let line = try #require(reference.output.split(separator: "\n").first { $0.contains("reflexive addr:") })
            let theirs = try #require(line.split(separator: " ").last).split(separator: ":").first.map(String.init)
            let ours = try ProbeCLI.run(["stun", server.uri("stun", "udp"), "--format", "json"]).json()["mapped_address"] as? String
            #expect(theirs == "127.0.0.1")
            #expect(ours?.split(separator: ":").first.map(String.init) == theirs)
        }
    }

    @Test func verifiesCertificatesUnlessInsecure() throws {
        try withCoturn(Self.user) { server in
            let untrusted = try ProbeCLI.run(["stun", server.uri("stun", "tls"), "--format", "json"])
            #expect(untrusted.status == 2)
            let handshake = try #require(try untrusted.checks()["tls-handshake"])
            #expect(handshake["status"] as? String == "CRITICAL")
            #expect((handshake["detail"] as? String)?.contains("--ca-file") == true)
            let insecure = try ProbeCLI.run(["stun", server.uri("stun", "tls"), "--insecure"])
            #expect(insecure.status == 0, "\(insecure.stdout)")
            #expect(insecure.stdout.contains("NOT verified"))
        }
    }

    @Test(arguments: ["udp", "tcp"])
    func nothingListeningIsCritical(transport: String) throws {
        let port = try LocalHost.freePort()
        let uri = transport == "udp" ? "stun:127.0.0.1:\(port)" : "stun:127.0.0.1:\(port)?transport=tcp"
        let run = try ProbeCLI.run(["stun", uri, "--timeout", "2"])
        #expect(run.status == 2)
        #expect(run.stdout.hasPrefix("STUN CRITICAL"))
        #expect(run.stdout.contains("refused") || run.stdout.contains("timeout"), "\(run.stdout)")
        #expect(run.elapsed < .seconds(4.5), "\(run.elapsed)")
    }

    @Test func silenceTimesOutAfterRetransmissions() throws {
        let silent = try ProbeFakeServer(.silentUDP)
        defer { silent.stop() }
        let run = try ProbeCLI.run(["stun", "stun:127.0.0.1:\(silent.port)", "--timeout", "2", "--format", "nagios"])
        #expect(run.status == 2)
        #expect(run.stdout.hasPrefix("STUN CRITICAL - "))
        #expect(run.stdout.contains("timeout"))
        // It gave up on its own, without hanging past the limit.
        #expect(run.elapsed < .seconds(4.5), "\(run.elapsed)")
        // Sent at 0, 0.5 and 1.5 s (RTO 500 ms, doubling) before the 2 s limit: a retransmission
        // arrived (a loaded machine may cut the last one short), and never more than the schedule allows.
        #expect((2...3).contains(silent.received), "\(silent.received) datagrams")
    }

    @Test func garbageOverUDPIsCriticalNotACrash() throws {
        let garbage = try ProbeFakeServer(.garbageUDP)
        defer { garbage.stop() }
        let run = try ProbeCLI.run(["stun", "stun:127.0.0.1:\(garbage.port)", "--timeout", "1", "--format", "json"])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let binding = try #require(try run.checks()["binding"])
        #expect((binding["detail"] as? String)?.contains("not valid STUN") == true)
        #expect(run.elapsed < .seconds(3.5), "\(run.elapsed)")
        #expect(garbage.received >= 1)
    }

    @Test(arguments: ["stun", "stuns"])
    func silentStreamTimesOut(scheme: String) throws {
        let silent = try ProbeFakeServer(.silentTCP)
        defer { silent.stop() }
        let run = try ProbeCLI.run(["stun", "\(scheme):127.0.0.1:\(silent.port)?transport=tcp", "--timeout", "1", "--format", "json"])
        #expect(run.status == 2)
        let step = scheme == "stun" ? "binding" : "tls-handshake"
        #expect((try run.checks()[step]?["detail"] as? String)?.contains("timeout") == true, "\(run.stdout)")
        #expect(run.elapsed < .seconds(3.5), "\(run.elapsed)")
    }

    @Test func caFileThatIsNoCertificateIsUnknown() throws {
        try withScratchDirectory("callctl-not-a-cert") { directory in
            let path = directory.appendingPathComponent("ca.pem").path
            try "not a certificate".write(toFile: path, atomically: true, encoding: .utf8)
            let run = try ProbeCLI.run(["stun", "stuns:127.0.0.1:5349", "--ca-file", path])
            #expect(run.status == 3)
            #expect(run.stdout.contains("tls-setup"))
        }
    }

    @Test func httpOverTCPIsCriticalAtOnce() throws {
        let http = try ProbeFakeServer(.httpTCP)
        defer { http.stop() }
        let run = try ProbeCLI.run(["stun", "stun:127.0.0.1:\(http.port)?transport=tcp", "--timeout", "3"])
        #expect(run.status == 2)
        #expect(run.stdout.contains("not STUN"), "\(run.stdout)")
        // Diagnosed from the answer, not by waiting out --timeout 3; and it did not hang.
        #expect(!run.outcome.output.contains("timeout") && !run.outcome.output.contains("timed out"), "\(run.outcome.output)")
        #expect(run.elapsed < .seconds(4))
    }

    @Test func thresholdsGiveWarningAndCritical() throws {
        try withCoturn(Self.user) { server in
            let nagios = try ProbeCLI.run(["stun", server.uri("stun", "udp"), "--format", "nagios", "--warn-rtt", "100", "--crit-rtt", "300"])
            #expect(nagios.status == 0)
            #expect(nagios.stdout.hasPrefix("STUN OK - "))
            #expect(nagios.stdout.contains("| rtt="))
            #expect(nagios.stdout.contains("ms;100;300;0"))
            #expect(nagios.stdout.split(separator: "\n").count == 1)
            let warning = try ProbeCLI.run(["stun", server.uri("stun", "udp"), "--warn-rtt", "0"])
            #expect(warning.status == 1)
            #expect(warning.stdout.hasPrefix("STUN WARNING"))
            let critical = try ProbeCLI.run(["stun", server.uri("stun", "udp"), "--warn-rtt", "0", "--crit-rtt", "0"])
            #expect(critical.status == 2)
        }
    }

    @Test(arguments: [
        ["http://example.org"], ["stun:"], ["stun:example.org:99999"], ["turns:example.org?transport=udp"], [],
        ["stun:127.0.0.1", "--timeout", "abc"], ["stun:127.0.0.1", "--format", "xml"],
        ["stun:127.0.0.1", "--warn-rtt", "300", "--crit-rtt", "100"], ["stun:127.0.0.1", "--ca-file", "/nonexistent"],
    ])
    func usageErrorsAreUnknown(arguments: [String]) throws {
        let run = try ProbeCLI.run(["stun"] + arguments)
        #expect(run.status == 3, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Error: "))
        // --format nagios comes first, so a bad --format in `arguments` wins over it and is refused
        // as such (no format to render it in); every other mistake is a Nagios UNKNOWN line.
        let nagios = try ProbeCLI.run(["stun", "--format", "nagios"] + arguments)
        #expect(nagios.status == 3, "\(arguments): \(nagios.stdout)\(nagios.stderr)")
        if arguments.contains("--format") {
            #expect(nagios.stderr.contains("--format must be"), "\(nagios.stderr)")
        } else {
            #expect(nagios.stdout.hasPrefix("STUN UNKNOWN - "), "\(nagios.stdout)")
        }
    }
}
