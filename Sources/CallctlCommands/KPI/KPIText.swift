import CallDomain

/// How KPI values are written: plain numbers for machines, units and percentages for people.
enum KPIText {
    /// Milliseconds for people, rounded: `1300 ms`, or `—` for no data.
    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return "\(Int64(value.rounded())) ms"
    }

    /// A duration in seconds for people: `25m 30s`, `45s`, or `—` for no data.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let whole = Int64(seconds.rounded())
        return whole < 60 ? "\(whole)s" : "\(whole / 60)m \(whole % 60)s"
    }

    /// The headline value of a KPI for people: counts, percentages, milliseconds, durations.
    static func human(_ kpi: KPI, _ figures: KPIFigures) -> String {
        switch kpi {
        case _ where kpi.isCount: PlainNumber.text(figures.value(of: kpi) ?? 0)
        case .timeToConnectMs: milliseconds(figures.timeToConnectMs.mean)
        case .meanDurationSeconds: duration(figures.meanDurationSeconds)
        case .permissionFailuresPer100: figures.permissionFailuresPer100.map { PlainNumber.text(($0 * 10).rounded() / 10) } ?? "—"
        default: KPIMath.percentText(figures.value(of: kpi))
        }
    }

    /// The report's period (first and last day included) and scope in one line, e.g.
    /// `2026-03-01 to 2026-03-07 (7 days, Europe/Berlin), by day, tenant 3`.
    static func scope(_ report: KPIReport) -> String {
        let days = report.period.days
        let span = days.count == 1 ? "\(report.period.from) (1 day" : "\(report.period.from) to \(days.last ?? report.period.from) (\(days.count) days"
        var parts = ["\(span), \(report.period.zoneName))"]
        if let grouping = report.grouping { parts.append("by \(grouping.rawValue)") }
        if let tenant = report.tenant { parts.append("tenant \(tenant)") }
        return parts.joined(separator: ", ")
    }
}
