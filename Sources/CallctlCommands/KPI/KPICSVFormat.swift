import CallDomain

/// `--format csv`: RFC 4180 (CRLF line ends, fields quoted when they hold a comma, a quote or
/// a line break), one row per group then a `total` row; rates as fractions, empty when no data;
/// then one `ended_<reason>` count per end reason, then `recordings_made` and `recordings_purged`
/// (last, so the columns before them keep their places).
enum KPICSVFormat {
    static let header = ["key", "calls_requested", "calls_connected", "connection_success_rate",
                         "time_to_connect_ms_mean", "time_to_connect_ms_p50", "time_to_connect_ms_p95",
                         "timeout_rate", "busy_rate", "mean_duration_s", "no_show_rate", "relayed_share", "drop_rate",
                         "permission_failures_per_100", "poor_network_share"] + EndReason.allCases.map { "ended_\($0.rawValue)" }
        + ["recordings_made", "recordings_purged"]

    static func render(_ report: KPIReport) -> String {
        let rows = [header] + report.groups.map { row($0.key, $0.figures) } + [row("total", report.totals)]
        return rows.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One field, quoted and with quotes doubled when needed.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func row(_ key: String, _ figures: KPIFigures) -> [String] {
        let values: [Double?] = [
            Double(figures.callsRequested), Double(figures.callsConnected), figures.connectionSuccess.value,
            figures.timeToConnectMs.mean, figures.timeToConnectMs.p50, figures.timeToConnectMs.p95,
            figures.timeout.value, figures.busy.value, figures.meanDurationSeconds, figures.noShow.value,
            figures.relayed.value, figures.dropped.value, figures.permissionFailuresPer100, figures.poorNetwork.value,
        ] + EndReason.allCases.map { Double(figures.failures.endReasons[$0.rawValue] ?? 0) }
            + [Double(figures.recordingsMade), Double(figures.recordingsPurged)]
        return [key] + values.map { $0.map(PlainNumber.text) ?? "" }
    }
}
