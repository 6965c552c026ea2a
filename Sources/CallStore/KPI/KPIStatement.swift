import CallDomain

/// The one SQL statement behind a KPI report, assembled from fixed fragments (never from
/// values: the period, time zone and tenant are parameters `$1`–`$4`).
///
/// It makes one aggregate pass over each source — call sessions by `requested_at`, `busy`
/// audit events by `at`, the browsers' `ice`, `quality` and `error` reports by `at`,
/// appointments by `scheduled_at`, recordings by `received_at` and again by `purged_at` —
/// each with `GROUP BY GROUPING SETS ((k), ())`, so a group's figures and the totals come from
/// the same scan. The six results are joined on `(g, key)`, where `g` is 1 for the totals row. Rows
/// are narrowed to booleans and numbers before grouping, so the sort that the percentiles need
/// moves as few bytes as possible.
public struct KPIStatement: Sendable {
    /// The breakdown, nil for totals only.
    public let grouping: KPIGrouping?
    /// Whether `$4` restricts the report to one tenant.
    public let filtersTenant: Bool

    /// Creates the statement for a breakdown and an optional tenant filter.
    public init(grouping: KPIGrouping?, filtersTenant: Bool) {
        self.grouping = grouping
        self.filtersTenant = filtersTenant
    }

    /// The SQL text. Parameters: `$1` start and `$2` end (timestamptz, end excluded),
    /// `$3` the IANA time zone of the local days (text), `$4` the tenant id (bigint, only when filtered).
    public var sql: String {
        """
        WITH sessions AS (
            SELECT \(groupFlag) AS g, \(keyText) AS key,
                   count(*) AS calls_requested,
                   count(*) FILTER (WHERE accepted) AS calls_accepted,
                   count(*) FILTER (WHERE connected) AS calls_connected,
                   count(*) FILTER (WHERE timed_out) AS timeouts,
                   \(endReasonCounts),
                   avg(ttc_ms) AS ttc_mean_ms,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p50_ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p95_ms
            FROM (SELECT \(key("s.requested_at")) AS k, s.accepted_at IS NOT NULL AS accepted,
                         s.connected_at IS NOT NULL AS connected, s.end_reason = 'timeout_no_answer' AS timed_out, s.end_reason,
                         round(date_part('epoch', s.connected_at - s.accepted_at) * 1e6) / 1e3 AS ttc_ms
                  FROM call_sessions s\(join("s"))
                  WHERE s.requested_at >= $1 AND s.requested_at < $2\(tenantCondition)) s
            GROUP BY GROUPING SETS (\(groupingSets))
        ), busy AS (
            \(count("busy_events", of: "appointment_call_events e", at: "e.at", where: "e.type = 'busy' AND "))
        ), reports AS (
            SELECT \(groupFlag) AS g, \(keyText) AS key,
                   count(DISTINCT call_id) FILTER (WHERE type = 'ice') AS ice_calls,
                   count(DISTINCT call_id) FILTER (WHERE relayed) AS relayed_calls,
                   count(DISTINCT call_id) FILTER (WHERE type = 'quality') AS quality_calls,
                   count(DISTINCT call_id) FILTER (WHERE poor) AS poor_calls,
                   count(*) FILTER (WHERE permission) AS permission_errors
            FROM (SELECT \(key("e.at")) AS k, e.type, e.call_id,
                         e.type = 'ice' AND e.payload->>'candidateType' = 'relay' AS relayed,
                         e.type = 'quality' AND ((e.payload->>'packetLossPercent')::float8 > 5
                                                 OR (e.payload->>'rttMs')::float8 > 400) AS poor,
                         e.type = 'error' AND e.user_id IS NOT NULL AND e.payload->>'name' IN (\(permissionNames)) AS permission
                  FROM appointment_call_events e\(join("e"))
                  WHERE e.type IN ('ice', 'quality', 'error') AND e.at >= $1 AND e.at < $2\(tenantCondition)) e
            GROUP BY GROUPING SETS (\(groupingSets))
        ), scheduled AS (
            SELECT \(groupFlag) AS g, \(keyText) AS key,
                   count(*) FILTER (WHERE held) AS appointments_held,
                   count(*) FILTER (WHERE no_show) AS no_shows,
                   avg(duration_s) AS duration_mean_s
            FROM (SELECT \(key("a.scheduled_at")) AS k, a.status NOT IN ('cancelled', 'rescheduled') AS held,
                         a.status = 'no_show' AS no_show,
                         CASE WHEN a.status = 'completed' THEN date_part('epoch', a.ended_at - a.started_at) END AS duration_s
                  FROM appointments a
                  WHERE a.scheduled_at >= $1 AND a.scheduled_at < $2\(tenantCondition)) a
            GROUP BY GROUPING SETS (\(groupingSets))
        ), made AS (
            \(count("recordings_made", of: "recordings r", at: "r.received_at"))
        ), purged AS (
            \(count("recordings_purged", of: "recordings r", at: "r.purged_at"))
        )
        SELECT g, key,
               coalesce(calls_requested, 0) AS calls_requested, coalesce(calls_accepted, 0) AS calls_accepted,
               coalesce(calls_connected, 0) AS calls_connected, coalesce(timeouts, 0) AS timeouts,
               ttc_mean_ms, ttc_p50_ms, ttc_p95_ms, coalesce(busy_events, 0) AS busy_events,
               duration_mean_s, coalesce(appointments_held, 0) AS appointments_held, coalesce(no_shows, 0) AS no_shows,
               \(endReasonColumns),
               coalesce(ice_calls, 0) AS ice_calls, coalesce(relayed_calls, 0) AS relayed_calls,
               coalesce(quality_calls, 0) AS quality_calls, coalesce(poor_calls, 0) AS poor_calls,
               coalesce(permission_errors, 0) AS permission_errors,
               coalesce(recordings_made, 0) AS recordings_made, coalesce(recordings_purged, 0) AS recordings_purged
        FROM sessions FULL JOIN busy USING (g, key) FULL JOIN reports USING (g, key) FULL JOIN scheduled USING (g, key)
             FULL JOIN made USING (g, key) FULL JOIN purged USING (g, key)
        ORDER BY g DESC, key
        """
    }

    /// A count of the rows of `table` (`name alias`, a fixed fragment) whose instant `instant` lies
    /// in the period, as the column `column`, per group and in total; `condition` (ending in
    /// `AND `) narrows the rows further.
    private func count(_ column: String, of table: String, at instant: String, where condition: String = "") -> String {
        let alias = table.split(separator: " ").last.map(String.init) ?? table
        return """
            SELECT \(groupFlag) AS g, \(keyText) AS key, count(*) AS \(column)
                    FROM (SELECT \(key(instant)) AS k
                          FROM \(table)\(join(alias))
                          WHERE \(condition)\(instant) >= $1 AND \(instant) < $2\(tenantCondition)) \(alias)
                    GROUP BY GROUPING SETS (\(groupingSets))
            """
    }

    /// The grouping key of a row whose instant is `instant` (and whose appointment is `a`).
    private func key(_ instant: String) -> String {
        switch grouping {
        case .day: "(\(instant) AT TIME ZONE $3)::date"
        case .doctor: "a.doctor_id"
        case .tenant: "a.tenant_id"
        case nil: "NULL::int"
        }
    }

    /// Sessions, events and recordings reach their appointment only when a doctor, tenant or tenant filter needs it.
    private func join(_ alias: String) -> String {
        guard grouping == .doctor || grouping == .tenant || filtersTenant else { return "" }
        return " JOIN appointments a ON a.id = \(alias).appointment_id"
    }

    /// One count per end reason, `ended_<reason>`, from the fixed list of ``EndReason`` (never from values).
    private var endReasonCounts: String {
        EndReason.allCases.map { "count(*) FILTER (WHERE end_reason = '\($0.rawValue)') AS ended_\($0.rawValue)" }
            .joined(separator: ",\n                   ")
    }

    private var endReasonColumns: String {
        EndReason.allCases.map { "coalesce(ended_\($0.rawValue), 0) AS ended_\($0.rawValue)" }.joined(separator: ", ")
    }

    /// ``CallReport/permissionErrors`` as SQL literals (a fixed list of identifiers, never values).
    private var permissionNames: String {
        CallReport.permissionErrors.sorted().map { "'\($0)'" }.joined(separator: ", ")
    }

    private var tenantCondition: String { filtersTenant ? " AND a.tenant_id = $4" : "" }
    private var groupingSets: String { grouping == nil ? "()" : "(k), ()" }
    private var groupFlag: String { grouping == nil ? "1" : "GROUPING(k)" }
    private var keyText: String { grouping == nil ? "''" : "coalesce(k::text, '')" }
}
