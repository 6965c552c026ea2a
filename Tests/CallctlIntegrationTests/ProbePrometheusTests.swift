import Foundation
import LocalServices
import Testing

/// `--format prometheus` and `--metrics-file` of the probes against a real coturn.
@Suite(.serialized)
struct ProbePrometheusTests {
    @Test func turnResultAsPrometheusTextAndMetricsFile() throws {
        try withScratchDirectory("probe-metrics") { directory in
            let metrics = directory.appendingPathComponent("turn.prom").path
            try withCoturn(ProbeTurnTests.shared) { server in
                let run = try ProbeCLI.run(["turn", server.uri("turn", "udp"), "--secret", ProbeTurnTests.secret,
                                            "--format", "prometheus", "--metrics-file", metrics])
                #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
                let labels = "probe=\"turn\",uri=\"\(server.uri("turn", "udp"))\""
                for line in ["# TYPE callctl_probe_status gauge", "callctl_probe_status{\(labels)} 0",
                             "callctl_probe_success{\(labels)} 1", "callctl_probe_check_status{\(labels),check=\"relay-inbound\"} 0"] {
                    #expect(run.stdout.contains(line + "\n"), "missing: \(line)")
                }
                #expect(run.stdout.contains("callctl_probe_rtt_seconds{\(labels)} 0."))
                #expect(!run.stdout.contains(ProbeTurnTests.secret))
                let file = try String(contentsOfFile: metrics, encoding: .utf8)
                #expect(file.contains("callctl_probe_success{\(labels)} 1"))
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["turn.prom"])
            }
        }
    }

    @Test func unwritableMetricsFileIsUnknown() throws {
        let port = try LocalHost.freePort()
        let run = try ProbeCLI.run(["stun", "stun:127.0.0.1:\(port)", "--timeout", "0.3", "--metrics-file", "/nonexistent/dir/stun.prom"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("--metrics-file"))
    }
}
