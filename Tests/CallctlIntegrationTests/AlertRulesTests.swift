import Foundation
import LocalServices
import Testing

/// deploy/prometheus/callctl-alerts.yml: promtool checks it and runs its unit tests, and every
/// `callctl_*` metric an alert reads is one callctl really writes (serve's /metrics, a job's
/// --metrics-file, a probe's and `kpi`'s Prometheus text), so a renamed metric breaks the build.
@Suite("Prometheus alert rules", .serialized)
struct AlertRulesTests {
    static let directory = AuthorizationMatrixTests.packageRoot.appendingPathComponent("deploy/prometheus").path

    @Test("promtool check rules and promtool test rules pass")
    func promtool() throws {
        for arguments in [["check", "rules", "callctl-alerts.yml"], ["test", "rules", "callctl-alerts.test.yml"]] {
            let run = try CommandRunner.run(["sh", "-c", "cd \"$1\" && shift && exec promtool \"$@\"", "sh", Self.directory] + arguments)
            #expect(run.status == 0, "promtool \(arguments.joined(separator: " ")): \(run.output)")
        }
    }

    @Test("every metric the alerts read is written by callctl")
    func metricsExist() async throws {
        let rules = try String(contentsOfFile: Self.directory + "/callctl-alerts.yml", encoding: .utf8)
        let used = Set(Self.metricNames(in: rules.split(separator: "\n").filter { $0.contains("expr:") }.joined(separator: "\n")))
        #expect(used.count >= 8, "\(used)")

        let s = try ServeWorld()
        var written = Self.metricNames(in: try s.server.request("GET", "/metrics").text)
        try withScratchDirectory("alert-metrics") { directory in
            let file = directory.appendingPathComponent("reap.prom").path
            let job = try CLI.run(["jobs", "reap", "--metrics-file", file, "--database-url", s.world.database.connectionString])
            #expect(job.status == 0, "\(job.output)")
            written += Self.metricNames(in: try String(contentsOfFile: file, encoding: .utf8))
        }
        let port = try LocalHost.freePort()
        written += Self.metricNames(in: try ProbeCLI.run(["stun", "stun:127.0.0.1:\(port)", "--timeout", "1", "--format", "prometheus"]).stdout)
        written += Self.metricNames(in: try CLI.run(["kpi", "--from", "2026-03-01", "--to", "2026-03-02", "--format", "prometheus",
                                                              "--database-url", s.world.database.connectionString]).standardOutput)
        #expect(used.subtracting(written).isEmpty, "alerts read metrics callctl does not write: \(used.subtracting(written).sorted())")
    }

    /// The `callctl_…` names in `text`.
    static func metricNames(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "callctl_[a-z0-9_]+")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }
}
