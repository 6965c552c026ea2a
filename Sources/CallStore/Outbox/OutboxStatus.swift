import Foundation
import Postgres

/// A row the external server has refused so far.
public struct OutboxFailingRow: Sendable, Equatable {
    /// The row's id.
    public let id: Int64
    /// The event name.
    public let event: String
    /// The channel.
    public let channel: String
    /// Failed attempts.
    public let attempts: Int
    /// The last failure's cause.
    public let lastError: String?
    /// When it is tried again (nil: at once).
    public let nextAttemptAt: Date?
}

/// The outbox at a glance, for `callctl outbox status`.
public struct OutboxStatus: Sendable, Equatable {
    /// Rows not yet published everywhere they go.
    public let backlog: Int
    /// Seconds since the oldest of them was written; nil when the backlog is empty.
    public let oldestPendingAgeSeconds: Double?
    /// Rows no daemon's hub has delivered yet.
    public let notRelayed: Int
    /// Unpublished rows with at least one failed attempt.
    public let failingCount: Int
    /// The first ``OutboxStatusQuery/failingLimit`` of them, oldest first.
    public let failing: [OutboxFailingRow]
    /// Rows published during the last hour.
    public let publishedLastHour: Int
    /// The declared external target and what each live daemon publishes to.
    public let destinations: OutboxDestinations
    /// Each webhook URL's backlog (docs/design.md, "Webhooks"), by URL.
    public let webhooks: [WebhookURLBacklog]
}

/// Reads ``OutboxStatus``. The backlog, unrelayed and failing figures use the partial indexes
/// on unpublished and unrelayed rows; the last hour's count scans the published rows.
public enum OutboxStatusQuery {
    /// How many failing rows are listed.
    public static let failingLimit = 20

    static let figures = """
        SELECT
          (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS backlog,
          (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM outbox WHERE published_at IS NULL) AS oldest_age,
          (SELECT count(*) FROM outbox WHERE relayed_at IS NULL) AS not_relayed,
          (SELECT count(*) FROM outbox WHERE published_at IS NULL AND attempts > 0) AS failing,
          (SELECT count(*) FROM outbox WHERE published_at >= now() - interval '1 hour') AS published_last_hour
        """

    static let failingRows = """
        SELECT id, event, channel, attempts, last_error, next_attempt_at FROM outbox
        WHERE published_at IS NULL AND attempts > 0
        ORDER BY id
        LIMIT $1
        """

    static let backlogQuery = """
        SELECT count(*) AS backlog, extract(epoch FROM now() - min(created_at))::float8 AS oldest_age
        FROM outbox WHERE published_at IS NULL
        """

    /// Rows not yet published, and the age of the oldest in seconds (nil when there is none).
    public static func backlog(on connection: PGConnection) throws -> (rows: Int, oldestAgeSeconds: Double?) {
        guard let row = try connection.query(backlogQuery).first else { return (0, nil) }
        return (Int(try row.decode(Int64.self, "backlog")), try row.decode(Double?.self, "oldest_age"))
    }

    /// Reads the figures and the failing rows in one read-only snapshot.
    public static func read(on connection: PGConnection) throws -> OutboxStatus {
        try connection.transaction { connection in
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            guard let row = try connection.query(figures).first else {
                throw PostgresError(.decoding, "the outbox status query returned no row")
            }
            let failing = try connection.query(failingRows, failingLimit).rows.map { row in
                OutboxFailingRow(id: try row.decode(Int64.self, "id"), event: try row.decode(String.self, "event"),
                                 channel: try row.decode(String.self, "channel"),
                                 attempts: Int(try row.decode(Int32.self, "attempts")),
                                 lastError: try row.decode(String?.self, "last_error"),
                                 nextAttemptAt: try row.decode(Date?.self, "next_attempt_at"))
            }
            return OutboxStatus(backlog: Int(try row.decode(Int64.self, "backlog")),
                                oldestPendingAgeSeconds: try row.decode(Double?.self, "oldest_age"),
                                notRelayed: Int(try row.decode(Int64.self, "not_relayed")),
                                failingCount: Int(try row.decode(Int64.self, "failing")),
                                failing: failing,
                                publishedLastHour: Int(try row.decode(Int64.self, "published_last_hour")),
                                destinations: try OutboxDestinationStore.read(on: connection),
                                webhooks: try WebhookBacklogQuery.read(on: connection))
        }
    }
}
