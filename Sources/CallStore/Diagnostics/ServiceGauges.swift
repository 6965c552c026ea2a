import CallDomain
import Postgres

/// What `/metrics` reads from the database at each scrape, so every daemon reports the same
/// truth: open call sessions by state, the outbox backlog and the webhooks' backlog.
public struct ServiceGauges: Sendable, Equatable {
    /// Sessions not ended, for each of `ringing`, `accepted` and `in_call` (0 when none).
    public let openCalls: [CallState: Int]
    /// Outbox rows not yet published.
    public let backlog: Int
    /// Age of the oldest of them in seconds; 0 when there is none.
    public let oldestPendingAgeSeconds: Double
    /// Webhook events not yet delivered, over all URLs.
    public let webhookBacklog: Int
    /// Age of the oldest of them in seconds; 0 when there is none.
    public let webhookOldestAgeSeconds: Double
    /// Webhook URLs whose last delivery failed.
    public let webhookFailingURLs: Int

    static let openCallsQuery = "SELECT state, count(*) AS n FROM call_sessions WHERE state <> 'ended' GROUP BY state"

    static let webhooksQuery = """
        SELECT (SELECT count(*) FROM webhook_events) AS pending,
               (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM webhook_events) AS oldest_age,
               (SELECT count(*) FROM webhook_targets WHERE attempts > 0) AS failing
        """

    /// Reads the gauges (three index-backed queries; the webhooks' count is bounded by their backlog limit).
    public static func read(on connection: PGConnection) throws -> ServiceGauges {
        var open: [CallState: Int] = [.ringing: 0, .accepted: 0, .inCall: 0]
        for row in try connection.query(openCallsQuery).rows {
            if let state = CallState(rawValue: try row.decode(String.self, "state")) {
                open[state] = Int(try row.decode(Int64.self, "n"))
            }
        }
        let backlog = try OutboxStatusQuery.backlog(on: connection)
        let webhooks = try connection.query(webhooksQuery).first
        return ServiceGauges(openCalls: open, backlog: backlog.rows, oldestPendingAgeSeconds: backlog.oldestAgeSeconds ?? 0,
                             webhookBacklog: Int(try webhooks?.decode(Int64.self, "pending") ?? 0),
                             webhookOldestAgeSeconds: try webhooks?.decode(Double?.self, "oldest_age") ?? 0,
                             webhookFailingURLs: Int(try webhooks?.decode(Int64.self, "failing") ?? 0))
    }
}
