import CallDomain

/// `--format table`: aligned columns for people, rates as percentages ("—" for no data), the
/// totals last, and with `--by day` a sparkline of calls requested per day.
enum KPITableFormat {
    static func render(_ report: KPIReport) -> String {
        var table = TextTable((report.grouping?.rawValue ?? "").uppercased(), "REQUESTED", "CONNECTED", "SUCCESS",
                              "TTC MEAN", "TTC P50", "TTC P95", "TIMEOUTS", "BUSY", "DURATION", "NO-SHOWS", "RELAYED", "DROPPED",
                              "CAM/MIC /100", "POOR NET", "RECORDED", "PURGED")
        for group in report.groups { table.rows.append(cells(group.key, group.figures)) }
        table.rows.append(cells("total", report.totals))
        var lines = ["call KPIs, \(KPIText.scope(report))", ""] + table.render()
        if report.grouping == .day, let first = report.groups.first, let last = report.groups.last {
            let counts = report.groups.map(\.figures.callsRequested)
            lines += ["", "calls per day  \(Sparkline.render(counts))  \(first.key) … \(last.key), max \(counts.max() ?? 0)"]
        }
        let reasons = EndReason.allCases.map { "\($0.rawValue) \(report.totals.failures.endReasons[$0.rawValue] ?? 0)" }
        lines += ["", "calls by end reason: " + reasons.joined(separator: ", ")]
        lines += ["", "TTC = time to connect (accepted → in call); DURATION = mean of completed appointments; RELAYED, POOR NET = "
            + "share of calls with such a browser report; RECORDED, PURGED = recordings received, deleted after their retention; see `callctl kpi --help`."]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cells(_ key: String, _ figures: KPIFigures) -> [String] {
        [key, KPIText.human(.callsRequested, figures), KPIText.human(.callsConnected, figures),
         KPIText.human(.connectionSuccessRate, figures), KPIText.milliseconds(figures.timeToConnectMs.mean),
         KPIText.milliseconds(figures.timeToConnectMs.p50), KPIText.milliseconds(figures.timeToConnectMs.p95),
         KPIText.human(.timeoutRate, figures), KPIText.human(.busyRate, figures),
         KPIText.human(.meanDurationSeconds, figures), KPIText.human(.noShowRate, figures), KPIText.human(.relayedShare, figures),
         KPIText.human(.dropRate, figures), KPIText.human(.permissionFailuresPer100, figures), KPIText.human(.poorNetworkShare, figures),
         KPIText.human(.recordingsMade, figures), KPIText.human(.recordingsPurged, figures)]
    }
}
