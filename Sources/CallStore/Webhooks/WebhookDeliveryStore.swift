import Foundation
import Postgres

/// A webhook event waiting in `webhook_events`.
public struct PendingWebhookEvent: Sendable, Equatable {
    /// The row's id: the order events are sent in.
    public let id: Int64
    /// The event.
    public let event: WebhookEvent
}

/// What one delivery attempt for a URL and app came to.
public enum WebhookDeliveryOutcome<Failure: Error & Sendable>: Sendable {
    /// The URL is resting after failures (its backoff has not passed).
    case notDue
    /// Nothing waits for this URL and app.
    case empty
    /// Another daemon is delivering this URL's oldest events; it delivers them in order.
    case busy
    /// The URL answered 2xx: these events are delivered and their rows deleted.
    case delivered([PendingWebhookEvent])
    /// The delivery failed; the events stay, the URL rests for `retryAfter`.
    case failed([PendingWebhookEvent], Failure, retryAfter: Duration)
}

/// Delivery of `webhook_events` to their URLs by any daemon's webhook relay.
///
/// A batch is the oldest events of one URL and app, claimed `FOR UPDATE SKIP LOCKED` and held
/// while they are POSTed; a daemon whose claim does not start at the oldest pending row leaves
/// them (another daemon holds the head), so each URL gets its events in id order, one batch at
/// a time, and an event is in at most one request at a time. A 2xx deletes the rows and
/// clears the URL's backoff; a failure keeps them and sets `webhook_targets.next_attempt_at`
/// by ``WebhookBackoff`` with the cause in `last_error` (at most ``errorLimit`` characters).
public enum WebhookDeliveryStore {
    /// The longest `last_error` stored.
    public static let errorLimit = 300

    /// Makes sure each configured URL has its `webhook_targets` row.
    public static func register(urls: [String], on connection: PGConnection) throws {
        try connection.query("INSERT INTO webhook_targets (url) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
                             PGTextArray(strings: urls))
    }

    static let claim = """
        SELECT id, kind, channel, user_id, event, data, socket_id FROM webhook_events
        WHERE url = $1 AND app_id = $2
        ORDER BY id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """

    static let markFailed = """
        UPDATE webhook_targets
        SET attempts = attempts + 1, last_error = $2, failing_since = coalesce(failing_since, now()),
            next_attempt_at = now() + make_interval(secs => $3 / 1000.0)
        WHERE url = $1
        """

    /// Claims up to `limit` of the oldest events of `url` and `appID` when the URL's backoff
    /// has passed, hands them to `deliver` while they are locked (it blocks: an HTTP request;
    /// its failure's description must be free of secrets), records the outcome and commits.
    public static func deliverBatch<Failure: Error & CustomStringConvertible & Sendable>(
        url: String, appID: String, limit: Int, on connection: PGConnection, jitter: Double = Double.random(in: 0..<1),
        deliver: ([PendingWebhookEvent]) -> Result<Void, Failure>
    ) throws -> WebhookDeliveryOutcome<Failure> {
        try connection.transaction { connection in
            guard let target = try connection.query(
                "SELECT attempts FROM webhook_targets WHERE url = $1 AND next_attempt_at <= now()", url).first else { return .notDue }
            let attempts = Int(try target.decode(Int32.self, "attempts"))
            let events = try connection.query(claim, url, appID, limit).rows.map { row in
                PendingWebhookEvent(id: try row.decode(Int64.self, "id"), event: WebhookEvent(
                    kind: WebhookEventKind(rawValue: try row.decode(String.self, "kind")) ?? .clientEvent, appID: appID,
                    channel: try row.decode(String.self, "channel"), userID: try row.decode(String?.self, "user_id"),
                    event: try row.decode(String?.self, "event"), data: try row.decode(String?.self, "data"),
                    socketID: try row.decode(String?.self, "socket_id")))
            }
            guard let first = events.first else { return .empty }
            let head = try connection.query("SELECT min(id) AS head FROM webhook_events WHERE url = $1 AND app_id = $2", url, appID)
                .first?.decode(Int64?.self, "head")
            guard head == first.id else { return .busy }
            switch deliver(events) {
            case .success:
                try connection.query("DELETE FROM webhook_events WHERE id = ANY($1::bigint[])", PGInt64Array(ids: events.map(\.id)))
                if attempts > 0 {
                    try connection.query("""
                        UPDATE webhook_targets SET attempts = 0, last_error = NULL, failing_since = NULL, next_attempt_at = now()
                        WHERE url = $1
                        """, url)
                }
                return .delivered(events)
            case .failure(let failure):
                let delay = WebhookBackoff.delay(afterAttempts: attempts + 1, jitter: jitter)
                try connection.query(markFailed, url, String(failure.description.prefix(errorLimit)),
                                     Int64(delay / .milliseconds(1)))
                return .failed(events, failure, retryAfter: delay)
            }
        }
    }
}
