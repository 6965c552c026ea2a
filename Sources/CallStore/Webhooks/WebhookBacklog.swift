import Foundation
import Postgres

/// One webhook URL's backlog, for `outbox status` and `/metrics`.
public struct WebhookURLBacklog: Sendable, Equatable {
    /// The URL as shown (``WebhookRoute/displayName(_:)``: no user info or query).
    public let url: String
    /// Events waiting for it.
    public let pending: Int
    /// Seconds since the oldest of them was recorded; nil when none waits.
    public let oldestAgeSeconds: Double?
    /// Failed deliveries in a row (0: the last one succeeded, or none was tried).
    public let attempts: Int
    /// Since when it fails; nil when it does not.
    public let failingSince: Date?
    /// The last failure's cause.
    public let lastError: String?
    /// When it is tried again.
    public let nextAttemptAt: Date?
    /// Events not recorded because its backlog was full, ever.
    public let dropped: Int64
    /// The last time one was.
    public let lastDroppedAt: Date?
}

/// Reads every webhook URL's backlog: those with a `webhook_targets` row (every URL a daemon
/// was configured with) and any whose events wait without one.
public enum WebhookBacklogQuery {
    static let query = """
        SELECT coalesce(t.url, e.url) AS url, coalesce(e.pending, 0) AS pending, e.oldest_age,
               coalesce(t.attempts, 0) AS attempts, t.failing_since, t.last_error, t.next_attempt_at,
               coalesce(t.dropped, 0) AS dropped, t.last_dropped_at
        FROM webhook_targets t
        FULL JOIN (
            SELECT url, count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
            FROM webhook_events GROUP BY url
        ) e ON e.url = t.url
        ORDER BY 1
        """

    /// The backlog of each URL, by URL.
    public static func read(on connection: PGConnection) throws -> [WebhookURLBacklog] {
        try connection.query(query).rows.map { row in
            WebhookURLBacklog(
                url: WebhookRoute.displayName(try row.decode(String.self, "url")), pending: Int(try row.decode(Int64.self, "pending")),
                oldestAgeSeconds: try row.decode(Double?.self, "oldest_age"), attempts: Int(try row.decode(Int32.self, "attempts")),
                failingSince: try row.decode(Date?.self, "failing_since"), lastError: try row.decode(String?.self, "last_error"),
                nextAttemptAt: try row.decode(Date?.self, "next_attempt_at"), dropped: try row.decode(Int64.self, "dropped"),
                lastDroppedAt: try row.decode(Date?.self, "last_dropped_at"))
        }
    }
}
