import Foundation
import ICE

/// `--format prometheus` and `--metrics-file` of the probes: one sample per probe (and per
/// check) labelled with `probe` and `uri`, for node_exporter's textfile collector or a scrape.
enum ProbePrometheus {
    /// The exposition text for the reports of one run.
    static func render(_ reports: [ProbeReport], at instant: Date) -> String {
        var exposition = PrometheusText()
        func family(_ name: String, _ help: String, _ value: (ProbeReport) -> Double?) {
            exposition.gauge(name, help: help)
            for report in reports {
                guard let value = value(report) else { continue }
                exposition.sample(name, labels(report), number(value))
            }
        }
        family("callctl_probe_status", "Nagios status of the probe: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.") { Double($0.status.rawValue) }
        family("callctl_probe_success", "1 when the probe's status is OK, else 0.") { $0.status == .ok ? 1 : 0 }
        family("callctl_probe_rtt_seconds", "Round-trip time: the Binding transaction (stun) or the relay round trip (turn).") { report in
            report.rtt.map { ProbeJSON.milliseconds($0) / 1000 }
        }
        family("callctl_probe_last_run_timestamp_seconds", "Unix time of this probe run.") { _ in instant.timeIntervalSince1970 }
        exposition.gauge("callctl_probe_check_duration_seconds", help: "Duration of each named check of the probe.")
        for report in reports {
            for check in report.checks {
                exposition.sample("callctl_probe_check_duration_seconds", labels(report) + [("check", check.name)],
                                  number(ProbeJSON.milliseconds(check.duration) / 1000))
            }
        }
        exposition.gauge("callctl_probe_check_status", help: "Nagios status of each named check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
        for report in reports {
            for check in report.checks {
                exposition.sample("callctl_probe_check_status", labels(report) + [("check", check.name)], number(Double(check.status.rawValue)))
            }
        }
        return exposition.text
    }

    private static func labels(_ report: ProbeReport) -> [(String, String)] {
        [("probe", report.kind.rawValue), ("uri", report.uri.description)]
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
