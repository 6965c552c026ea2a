import CallDomain
import Foundation
import Postgres

/// Runs the KPI report for a period, breakdown and optional tenant in one statement.
public struct KPIQuery: Sendable {
    /// The period and its time zone.
    public let period: KPIPeriod
    /// The breakdown, nil for totals only.
    public let grouping: KPIGrouping?
    /// Restricts the report to one tenant.
    public let tenant: Int64?

    /// Creates a query.
    public init(period: KPIPeriod, grouping: KPIGrouping?, tenant: Int64?) {
        self.period = period
        self.grouping = grouping
        self.tenant = tenant
    }

    /// The statement this query runs.
    public var statement: KPIStatement { KPIStatement(grouping: grouping, filtersTenant: tenant != nil) }

    /// The statement's parameters, in order.
    public var parameters: [(any PGEncodable)?] {
        [period.start, period.end, period.zoneName] + (tenant.map { [$0] } ?? [])
    }

    /// Runs the statement. Every day of the period is present when grouped by day (empty days
    /// with zero counts); doctors and tenants appear when they had any activity, ordered by id.
    public func run(on connection: PGConnection) throws(PostgresError) -> KPIReport {
        let result = try connection.query(statement.sql, parameters)
        var totals = KPIFigures.empty
        var groups: [String: KPIFigures] = [:]
        for row in result.rows {
            let figures = try Self.figures(of: row)
            if try row.decode(Int32.self, "g") == 1 {
                totals = figures
            } else {
                groups[try row.decode(String.self, "key")] = figures
            }
        }
        return KPIReport(period: period, grouping: grouping, tenant: tenant, totals: totals, groups: ordered(groups))
    }

    private func ordered(_ groups: [String: KPIFigures]) -> [KPIGroup] {
        switch grouping {
        case nil:
            return []
        case .day:
            let days = period.days.map(\.description)
            let known = Set(days)
            let extra = groups.keys.filter { !known.contains($0) }.sorted()
            return (days + extra).map { KPIGroup(key: $0, figures: groups[$0] ?? .empty) }
        case .doctor, .tenant:
            return groups.keys.sorted { (Int64($0) ?? 0, $0) < (Int64($1) ?? 0, $1) }
                .map { KPIGroup(key: $0, figures: groups[$0]!) }
        }
    }

    private static func figures(of row: PGRow) throws(PostgresError) -> KPIFigures {
        var figures = KPIFigures(
            callsRequested: try row.decode(Int.self, "calls_requested"),
            callsAccepted: try row.decode(Int.self, "calls_accepted"),
            callsConnected: try row.decode(Int.self, "calls_connected"),
            timeouts: try row.decode(Int.self, "timeouts"),
            timeToConnectMs: KPIDistribution(mean: try row.decode(Double?.self, "ttc_mean_ms"),
                                             p50: try row.decode(Double?.self, "ttc_p50_ms"),
                                             p95: try row.decode(Double?.self, "ttc_p95_ms")),
            busyEvents: try row.decode(Int.self, "busy_events"),
            meanDurationSeconds: try row.decode(Double?.self, "duration_mean_s"),
            appointmentsHeld: try row.decode(Int.self, "appointments_held"),
            noShows: try row.decode(Int.self, "no_shows"))
        var endReasons: [String: Int] = [:]
        for reason in EndReason.allCases { endReasons[reason.rawValue] = try row.decode(Int.self, "ended_\(reason.rawValue)") }
        figures.failures = KPIFailureFigures(
            endReasons: endReasons, iceReportedCalls: try row.decode(Int.self, "ice_calls"),
            relayedCalls: try row.decode(Int.self, "relayed_calls"), qualityReportedCalls: try row.decode(Int.self, "quality_calls"),
            poorNetworkCalls: try row.decode(Int.self, "poor_calls"), permissionErrors: try row.decode(Int.self, "permission_errors"))
        figures.recordingsMade = try row.decode(Int.self, "recordings_made")
        figures.recordingsPurged = try row.decode(Int.self, "recordings_purged")
        return figures
    }
}
