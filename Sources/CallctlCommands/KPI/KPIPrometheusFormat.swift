import CallDomain

/// `--format prometheus` and `--metrics-file`: Prometheus text exposition, one gauge family
/// per KPI named `callctl_kpi_*` in Prometheus base units (ratios 0–1, seconds), with HELP and
/// TYPE lines. Totals carry `group="total"`; groups carry `group="day|doctor|tenant"` and a
/// label of that name; a `--tenant` filter adds `tenant`. No data means no sample. No
/// timestamps, as node_exporter's textfile collector requires.
enum KPIPrometheusFormat {
    /// A gauge family: name, help text and the value (or values, by label) of one set of figures.
    private struct Family: Sendable {
        let name: String
        let help: String
        let samples: @Sendable (KPIFigures) -> [(labels: [(String, String)], value: Double?)]
    }

    private static let families: [Family] = [
        Family(name: "callctl_kpi_calls_requested", help: KPI.callsRequested.definition) {
            [([], Double($0.callsRequested))]
        },
        Family(name: "callctl_kpi_calls_connected", help: KPI.callsConnected.definition) {
            [([], Double($0.callsConnected))]
        },
        Family(name: "callctl_kpi_connection_success_ratio", help: KPI.connectionSuccessRate.definition) {
            [([], $0.connectionSuccess.value)]
        },
        Family(name: "callctl_kpi_time_to_connect_seconds",
               help: "connected_at - accepted_at over connected sessions, in seconds (stat: mean, p50, p95)") { figures in
            let distribution = figures.timeToConnectMs
            return [("mean", distribution.mean), ("p50", distribution.p50), ("p95", distribution.p95)].map { stat, value in
                ([("stat", stat)], value.map { $0 / 1000 })
            }
        },
        Family(name: "callctl_kpi_timeout_ratio", help: KPI.timeoutRate.definition) { [([], $0.timeout.value)] },
        Family(name: "callctl_kpi_busy_ratio", help: KPI.busyRate.definition) { [([], $0.busy.value)] },
        Family(name: "callctl_kpi_mean_duration_seconds", help: KPI.meanDurationSeconds.definition) {
            [([], $0.meanDurationSeconds)]
        },
        Family(name: "callctl_kpi_no_show_ratio", help: KPI.noShowRate.definition) { [([], $0.noShow.value)] },
        Family(name: "callctl_kpi_relayed_ratio", help: KPI.relayedShare.definition) { [([], $0.relayed.value)] },
        Family(name: "callctl_kpi_dropped_ratio", help: KPI.dropRate.definition) { [([], $0.dropped.value)] },
        Family(name: "callctl_kpi_permission_failures_per_100_requests", help: KPI.permissionFailuresPer100.definition) {
            [([], $0.permissionFailuresPer100)]
        },
        Family(name: "callctl_kpi_poor_network_ratio", help: KPI.poorNetworkShare.definition) { [([], $0.poorNetwork.value)] },
        Family(name: "callctl_kpi_recordings_made", help: KPI.recordingsMade.definition) { [([], Double($0.recordingsMade))] },
        Family(name: "callctl_kpi_recordings_purged", help: KPI.recordingsPurged.definition) { [([], Double($0.recordingsPurged))] },
        Family(name: "callctl_kpi_calls_ended", help: "sessions of the period by end reason") { figures in
            EndReason.allCases.map { ([("reason", $0.rawValue)], Double(figures.failures.endReasons[$0.rawValue] ?? 0)) }
        },
    ]

    static func render(_ report: KPIReport) -> String {
        let filter = report.tenant.map { [("tenant", String($0))] } ?? []
        var scopes: [(labels: [(String, String)], figures: KPIFigures)] = [([("group", "total")] + filter, report.totals)]
        if let grouping = report.grouping {
            let extra = grouping == .tenant ? [] : filter
            scopes += report.groups.map { ([("group", grouping.rawValue), (grouping.rawValue, $0.key)] + extra, $0.figures) }
        }
        var exposition = PrometheusText()
        for family in families {
            exposition.gauge(family.name, help: family.help)
            for scope in scopes {
                for sample in family.samples(scope.figures) {
                    guard let value = sample.value, value.isFinite else { continue }
                    exposition.sample(family.name, scope.labels + sample.labels, value)
                }
            }
        }
        for (name, instant, help) in [("callctl_kpi_period_start_timestamp_seconds", report.period.start, "start of the reported period [from, to), Unix time"),
                                      ("callctl_kpi_period_end_timestamp_seconds", report.period.end, "end of the reported period [from, to) (excluded), Unix time")] {
            exposition.gauge(name, help: help, samples: [(filter, instant.timeIntervalSince1970)])
        }
        return exposition.text
    }
}
