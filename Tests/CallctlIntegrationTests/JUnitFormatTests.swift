import Foundation
import LocalServices
import Testing

/// `--format junit` for CI pipelines: `diagnose db` and the probes write well-formed JUnit with
/// one test case per check, failures where the check failed.
@Suite("JUnit output of diagnose db and the probes", .serialized)
struct JUnitFormatTests {
    /// Parses `xml` with Python's XML parser and answers `tests failures skipped` of the document.
    private func counts(_ xml: String) throws -> String {
        try withScratchDirectory("junit") { directory in
            let file = directory.appendingPathComponent("report.xml")
            try xml.write(to: file, atomically: true, encoding: .utf8)
            let script = "import sys, xml.dom.minidom as m; r = m.parse(sys.argv[1]).documentElement; "
                + "print(r.getAttribute('tests'), r.getAttribute('failures'), r.getAttribute('skipped'))"
            let run = try CommandRunner.run(["python3", "-c", script, file.path])
            #expect(run.status == 0, "not well-formed: \(run.output)\n\(xml)")
            return run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test("diagnose db: four cases on a healthy database; an unreachable one fails the first and skips the rest")
    func diagnoseDB() async throws {
        let world = try JobsWorld()
        let healthy = await world.run(["diagnose", "db", "--format", "junit"])
        #expect(healthy.status == 0, "\(healthy.output)")
        #expect(try counts(healthy.standardOutput) == "4 0 0", "\(healthy.standardOutput)")
        #expect(healthy.standardOutput.contains("name=\"migrations_current\""))
        let port = try LocalHost.freePort()
        let down = await InProcess.run(["diagnose", "db", "--format", "junit", "--database-url", "postgresql://u:secret-pw@127.0.0.1:\(port)/x"])
        #expect(down.status == 69, "\(down.output)")
        #expect(try counts(down.standardOutput) == "4 1 3", "\(down.standardOutput)")
        #expect(!down.output.contains("secret-pw"))
    }

    @Test("probes: one case per check; a refused STUN binding is a failure, a working coturn passes every check")
    func probes() throws {
        let port = try LocalHost.freePort()
        let refused = try ProbeCLI.run(["stun", "stun:127.0.0.1:\(port)?transport=tcp", "--timeout", "1", "--format", "junit"])
        #expect(refused.status == 2, "\(refused.stdout)")
        #expect(try counts(refused.stdout) == "1 1 0", "\(refused.stdout)")
        try withCoturn(.sharedSecret("junit-tests-secret-8812")) { coturn in
            let ice = try ProbeCLI.run(["ice", "--uri", coturn.uri("turn", "udp"), "--secret", "junit-tests-secret-8812", "--format", "junit"])
            #expect(ice.status == 0, "\(ice.stdout)\(ice.stderr)")
            let parts = try counts(ice.stdout).split(separator: " ")
            #expect(parts.count == 3 && Int(parts[0]) ?? 0 > 3 && parts[1] == "0", "\(ice.stdout)")
        }
    }

    @Test("smoke: four cases against a running serve; a failing ICE verdict fails one; serve stopped fails ready and hub")
    func smoke() async throws {
        let s = try ServeWorld()
        let arguments = ["smoke", "--url", "http://127.0.0.1:\(s.server.port)", "--app-key", ServeProcess.appKey,
                         "--database-url", s.world.database.connectionString, "--format", "junit"]
        let healthy = try CLI.run(arguments)
        #expect(healthy.status == 0, "\(healthy.output)")
        #expect(try counts(healthy.standardOutput) == "4 0 1", "\(healthy.standardOutput)")
        try s.world.connection.query("""
            INSERT INTO ice_server_health (uri, status, detail, checked_at) VALUES ('turn:127.0.0.1:3478', 'critical', 'timeout', now())
            """)
        let failing = try CLI.run(arguments)
        #expect(failing.status == 1 && failing.standardOutput.contains("turn:127.0.0.1:3478 is critical: timeout"), "\(failing.output)")
        let failingCounts = try counts(failing.standardOutput)
        #expect(failingCounts == "4 1 0")
        _ = try s.server.stop()
        let down = try CLI.run(arguments)
        let downCounts = try counts(down.standardOutput)
        #expect(down.status == 1 && downCounts == "4 3 0", "\(down.output)")
    }
}
