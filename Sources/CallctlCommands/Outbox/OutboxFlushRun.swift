import CallDomain
import CallStore
import Logging
import Postgres
import SignalingServer

/// What `outbox flush` did.
struct OutboxFlushResult: Sendable, Encodable {
    /// The target, without its secret.
    let target: String
    /// Rows the external server accepted.
    let delivered: Int
    /// Rows in batches it refused (they stay pending with an attempt and `last_error` more).
    let failed: Int
    /// Requests sent.
    let batches: Int
    /// The first refusal's cause.
    @NullWhenAbsent var firstError: String?
    /// True when a failure concerning the server (down, wrong secret) ended the run early.
    let stoppedEarly: Bool
    /// Rows still unpublished afterwards.
    let pending: Int

    enum CodingKeys: String, CodingKey {
        case target, delivered, failed, batches, pending
        case firstError = "first_error", stoppedEarly = "stopped_early"
    }
}

/// One pass over the unpublished rows in id order, in batches of up to ten, each locked while
/// it is sent (rows a running daemon holds are skipped: it delivers them). Backoff is ignored:
/// the operator asked for delivery now. A batch refused for its content is recorded and the
/// pass goes on; a failure concerning the server ends it, since every batch would fail alike.
/// `relayed_at` is left alone: the daemon's hub delivers to its own subscribers when it runs.
struct OutboxFlushRun: Sendable {
    let publisher: ExternalPusherPublisher
    let limit: Int?
    let logger: Logger

    func run(on connection: PGConnection) throws -> OutboxFlushResult {
        let clock = ContinuousClock()
        var lastProgress = clock.now
        var cursor: Int64 = 0
        var delivered = 0, failed = 0, batches = 0
        var firstError: String?
        var stoppedEarly = false
        while true {
            let room = limit.map { $0 - delivered - failed } ?? ExternalPusherPublisher.batchLimit
            guard room > 0 else { break }
            let batch = try OutboxPublishStore.publishBatch(
                limit: min(room, ExternalPusherPublisher.batchLimit), selection: .flush(after: cursor), on: connection
            ) { rows in publisher.send(rows) }
            guard let last = batch.rows.last else { break }
            cursor = last.id
            batches += 1
            if let failure = batch.failure {
                failed += batch.rows.count
                firstError = firstError ?? failure.description
                if failure.affectsEveryBatch {
                    stoppedEarly = true
                    break
                }
            } else {
                delivered += batch.rows.count
            }
            if lastProgress.duration(to: clock.now) >= .seconds(2) {
                lastProgress = clock.now
                logger.info("flushing the outbox", metadata: [
                    "delivered": "\(delivered)", "failed": "\(failed)", "last_id": "\(cursor)"])
            }
        }
        return OutboxFlushResult(target: publisher.target.description, delivered: delivered, failed: failed, batches: batches,
                                 firstError: firstError, stoppedEarly: stoppedEarly,
                                 pending: try OutboxStatusQuery.backlog(on: connection).rows)
    }
}
