import Foundation
import ICE
import TimeUnits

/// `--format prometheus` and `--metrics-file` of the probes: one sample per probe (and per
/// check) labelled with `probe` and `uri`, for node_exporter's textfile collector or a scrape.
enum ProbePrometheus {
    /// The exposition text for the reports of one run.
    static func render(_ reports: [ProbeReport], at instant: Date) -> String {
        func perProbe(_ value: (ProbeReport) -> Double?) -> [PrometheusText.Sample] {
            reports.compactMap { report in value(report).map { (labels(report), $0) } }
        }
        func perCheck(_ value: (ProbeCheck) -> Double) -> [PrometheusText.Sample] {
            reports.flatMap { report in report.checks.map { (labels(report) + [("check", $0.name)], value($0)) } }
        }
        var exposition = PrometheusText()
        exposition.gauge("callctl_probe_status", help: "Nagios status of the probe: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
                         samples: perProbe { Double($0.status.rawValue) })
        exposition.gauge("callctl_probe_success", help: "1 when the probe's status is OK, else 0.",
                         samples: perProbe { $0.status == .ok ? 1 : 0 })
        exposition.gauge("callctl_probe_rtt_seconds", help: "Round-trip time: the Binding transaction (stun) or the relay round trip (turn).",
                         samples: perProbe { report in report.rtt.map { $0.roundedMilliseconds / 1000 } })
        exposition.gauge("callctl_probe_last_run_timestamp_seconds", help: "Unix time of this probe run.",
                         samples: perProbe { _ in instant.timeIntervalSince1970 })
        exposition.gauge("callctl_probe_check_duration_seconds", help: "Duration of each named check of the probe.",
                         samples: perCheck { $0.duration.roundedMilliseconds / 1000 })
        exposition.gauge("callctl_probe_check_status", help: "Nagios status of each named check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
                         samples: perCheck { Double($0.status.rawValue) })
        return exposition.text
    }

    private static func labels(_ report: ProbeReport) -> [(String, String)] {
        [("probe", report.kind.rawValue), ("uri", report.uri.description)]
    }
}
