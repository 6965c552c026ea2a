import CallDomain

/// `--format json`: docs/design.md's keys — `totals` and `groups` (each with `key`) holding
/// `calls_requested`, `calls_connected`, `connection_success_rate`, `time_to_connect_ms`
/// (`mean`, `p50`, `p95`), `timeout_rate`, `busy_rate`, `mean_duration_s`, `no_show_rate`,
/// `relayed_share`, `drop_rate`, `permission_failures_per_100`, `poor_network_share`,
/// `recordings_made`, `recordings_purged`, `end_reasons` (every end reason with its count) —
/// plus `from`, `to` (local midnights with their UTC offset), `tz` and `by`. Rates are
/// fractions; no data is `null`, never omitted.
struct KPIJSONFormat: Encodable {
    let report: KPIReport

    static func render(_ report: KPIReport) throws -> String {
        try Output.jsonText(KPIJSONFormat(report: report))
    }

    private enum Keys: String, CodingKey {
        case from, to, tz, by, totals, groups, key, mean, p50, p95
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.period.localText(report.period.start), forKey: .from)
        try container.encode(report.period.localText(report.period.end), forKey: .to)
        try container.encode(report.period.zoneName, forKey: .tz)
        try container.encode(report.grouping?.rawValue, forKey: .by)
        try container.encode(Figures(key: nil, figures: report.totals), forKey: .totals)
        try container.encode(report.groups.map { Figures(key: $0.key, figures: $0.figures) }, forKey: .groups)
    }

    /// One set of figures, with the group's key when it is a group.
    private struct Figures: Encodable {
        let key: String?
        let figures: KPIFigures

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: AnyKey.self)
            if let key { try container.encode(key, forKey: AnyKey("key")) }
            for kpi in KPI.allCases where kpi != .timeToConnectMs {
                let value = figures.value(of: kpi)
                if kpi.isCount {
                    try container.encode(Int(value ?? 0), forKey: AnyKey(kpi.rawValue))
                } else {
                    try container.encode(value, forKey: AnyKey(kpi.rawValue))
                }
            }
            var distribution = container.nestedContainer(keyedBy: Keys.self, forKey: AnyKey(KPI.timeToConnectMs.rawValue))
            try distribution.encode(figures.timeToConnectMs.mean, forKey: .mean)
            try distribution.encode(figures.timeToConnectMs.p50, forKey: .p50)
            try distribution.encode(figures.timeToConnectMs.p95, forKey: .p95)
            try container.encode(figures.failures.endReasons, forKey: AnyKey("end_reasons"))
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
