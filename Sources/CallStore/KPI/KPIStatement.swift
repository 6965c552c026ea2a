import CallDomain

/// The one SQL statement behind a KPI report, assembled from fixed fragments (never from
/// values: the period, time zone and tenant are parameters `$1`–`$4`).
///
/// It makes one aggregate pass over each source — call sessions by `requested_at`, `busy`
/// audit events by `at`, appointments by `scheduled_at` — each with
/// `GROUP BY GROUPING SETS ((k), ())`, so a group's figures and the totals come from the same
/// scan. The three results are joined on `(g, key)`, where `g` is 1 for the totals row. Rows
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
                   avg(ttc_ms) AS ttc_mean_ms,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p50_ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY ttc_ms) AS ttc_p95_ms
            FROM (SELECT \(key("s.requested_at")) AS k, s.accepted_at IS NOT NULL AS accepted,
                         s.connected_at IS NOT NULL AS connected, s.end_reason = 'timeout_no_answer' AS timed_out,
                         round(date_part('epoch', s.connected_at - s.accepted_at) * 1e6) / 1e3 AS ttc_ms
                  FROM call_sessions s\(join("s"))
                  WHERE s.requested_at >= $1 AND s.requested_at < $2\(tenantCondition)) s
            GROUP BY GROUPING SETS (\(groupingSets))
        ), busy AS (
            SELECT \(groupFlag) AS g, \(keyText) AS key, count(*) AS busy_events
            FROM (SELECT \(key("e.at")) AS k
                  FROM appointment_call_events e\(join("e"))
                  WHERE e.type = 'busy' AND e.at >= $1 AND e.at < $2\(tenantCondition)) e
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
        )
        SELECT g, key,
               coalesce(calls_requested, 0) AS calls_requested, coalesce(calls_accepted, 0) AS calls_accepted,
               coalesce(calls_connected, 0) AS calls_connected, coalesce(timeouts, 0) AS timeouts,
               ttc_mean_ms, ttc_p50_ms, ttc_p95_ms, coalesce(busy_events, 0) AS busy_events,
               duration_mean_s, coalesce(appointments_held, 0) AS appointments_held, coalesce(no_shows, 0) AS no_shows
        FROM sessions FULL JOIN busy USING (g, key) FULL JOIN scheduled USING (g, key)
        ORDER BY g DESC, key
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

    /// Sessions and events reach their appointment only when a doctor, tenant or tenant filter needs it.
    private func join(_ alias: String) -> String {
        guard grouping == .doctor || grouping == .tenant || filtersTenant else { return "" }
        return " JOIN appointments a ON a.id = \(alias).appointment_id"
    }

    private var tenantCondition: String { filtersTenant ? " AND a.tenant_id = $4" : "" }
    private var groupingSets: String { grouping == nil ? "()" : "(k), ()" }
    private var groupFlag: String { grouping == nil ? "1" : "GROUPING(k)" }
    private var keyText: String { grouping == nil ? "''" : "coalesce(k::text, '')" }
}
