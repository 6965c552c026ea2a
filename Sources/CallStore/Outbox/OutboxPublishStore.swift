import Foundation
import Postgres

/// Which unpublished rows a delivery to the external Pusher server may claim.
public struct OutboxPublishSelection: Sendable, Equatable {
    /// Only rows the daemon's hub has relayed, so subscribers of the daemon and of the external
    /// server see events in the same order; `outbox flush` (no daemon) takes every row.
    public var relayedOnly: Bool
    /// Only rows whose backoff has passed (`next_attempt_at`); `outbox flush` retries at once.
    public var dueOnly: Bool
    /// Only rows with a larger id: a flush walks the outbox once and never retries a row it
    /// just failed.
    public var afterID: Int64

    /// The daemon's loop: relayed rows whose backoff has passed.
    public static let daemon = OutboxPublishSelection(relayedOnly: true, dueOnly: true, afterID: 0)

    /// `outbox flush`: every unpublished row after `afterID`, backoff or not.
    public static func flush(after afterID: Int64) -> OutboxPublishSelection {
        OutboxPublishSelection(relayedOnly: false, dueOnly: false, afterID: afterID)
    }
}

/// What one claimed batch came to.
public struct OutboxPublishBatch<Failure: Error & Sendable>: Sendable {
    /// The rows claimed, in id order; empty when nothing was pending.
    public let rows: [OutboxRow]
    /// Why delivery failed; nil when the rows are now published.
    public let failure: Failure?
    /// The longest backoff given to the failed rows (all of them are due again after it); nil
    /// on success.
    public let retryAfter: Duration?
}

/// Delivery of outbox rows to an external Pusher/Reverb server.
///
/// A batch is claimed with `FOR UPDATE SKIP LOCKED` and held while it is sent, so two daemons
/// (or a daemon and `outbox flush`) never send the same row at the same time. Success sets
/// `published_at` and clears the backoff; failure counts an attempt, keeps the cause in
/// `last_error` (at most ``errorLimit`` characters) and sets `next_attempt_at` by
/// ``OutboxBackoff``. `relayed_at` is never touched: delivering to the daemons' own
/// subscribers is the daemon's business, so a flush without a running daemon leaves the rows
/// for it to relay when it starts.
public enum OutboxPublishStore {
    /// The longest `last_error` stored.
    public static let errorLimit = 500

    static let claim = """
        SELECT \(OutboxRow.columns) FROM outbox
        WHERE published_at IS NULL AND id > $2
          AND (NOT $3 OR relayed_at IS NOT NULL)
          AND (NOT $4 OR next_attempt_at IS NULL OR next_attempt_at <= now())
        ORDER BY id
        LIMIT $1
        FOR UPDATE SKIP LOCKED
        """

    static let markPublished = """
        UPDATE outbox SET published_at = now(), next_attempt_at = NULL
        WHERE id = ANY($1::bigint[])
        """

    static let markFailed = """
        UPDATE outbox o
        SET attempts = o.attempts + 1, last_error = $3,
            next_attempt_at = now() + make_interval(secs => d.delay_ms / 1000.0)
        FROM unnest($1::bigint[], $2::bigint[]) AS d(id, delay_ms)
        WHERE o.id = d.id
        """

    /// Claims up to `limit` rows of `selection` in id order, hands them to `deliver` while they
    /// are locked, records the outcome and commits. `deliver` blocks (an HTTP request); its
    /// failure's description must already be free of secrets. `jitter` is the failed batch's
    /// backoff jitter, a fraction in `0..<1` (one per batch, so its rows stay due together and
    /// are retried in order).
    public static func publishBatch<Failure: Error & CustomStringConvertible & Sendable>(
        limit: Int, selection: OutboxPublishSelection, on connection: PGConnection,
        jitter: Double = Double.random(in: 0..<1),
        deliver: ([OutboxRow]) -> Result<Void, Failure>
    ) throws -> OutboxPublishBatch<Failure> {
        try connection.transaction { connection in
            let rows = try connection.query(claim, limit, selection.afterID, selection.relayedOnly, selection.dueOnly)
                .rows.map(OutboxRow.init(row:))
            guard !rows.isEmpty else { return OutboxPublishBatch(rows: [], failure: nil, retryAfter: nil) }
            switch deliver(rows) {
            case .success:
                try connection.query(markPublished, PGInt64Array(ids: rows.map(\.id)))
                return OutboxPublishBatch(rows: rows, failure: nil, retryAfter: nil)
            case .failure(let failure):
                let delays = rows.map { OutboxBackoff.delay(afterAttempts: $0.attempts + 1, jitter: jitter) }
                let milliseconds = delays.map { Int64($0 / .milliseconds(1)) }
                try connection.query(markFailed, PGInt64Array(ids: rows.map(\.id)), PGInt64Array(ids: milliseconds),
                                     String(failure.description.prefix(errorLimit)))
                return OutboxPublishBatch(rows: rows, failure: failure, retryAfter: delays.max())
            }
        }
    }
}
