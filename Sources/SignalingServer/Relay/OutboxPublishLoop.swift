import CallStore
import Logging
import Metrics
import Postgres

/// Delivery to the external Pusher server, run on a thread of its own with its own connection:
/// batches of up to ten relayed rows, in id order, each held with `FOR UPDATE SKIP LOCKED`
/// while it is sent. A failure keeps the rows pending with a backoff (``OutboxBackoff``); when
/// it concerns the server rather than the batch, the loop waits that backoff out, so a server
/// that is down for an hour gets a request a minute, and every row once it is back. Woken by
/// the relay after each relayed batch, it also polls every `pollInterval`.
struct OutboxPublishLoop: Sendable {
    let database: ConnectionSettings
    let publisher: ExternalPusherPublisher
    let pollInterval: Duration
    let control: RelayControl
    let logger: Logger

    func run() {
        let published = Counter(label: "callctl_outbox_published_total")
        let failed = Counter(label: "callctl_outbox_publish_failures_total")
        var failing = false
        let loop = DatabaseLoop(database: database, name: "outbox publisher",
                                meanwhile: "rows wait in the outbox and are published once it recovers", control: control, logger: logger)
        loop.run { live in
            let batch = try OutboxPublishStore.publishBatch(limit: ExternalPusherPublisher.batchLimit, selection: .daemon,
                                                            on: live) { rows in publisher.send(rows) }
            guard let first = batch.rows.first, let last = batch.rows.last else {
                control.waitForWake(upTo: pollInterval)
                return
            }
            guard let failure = batch.failure else {
                published.increment(by: batch.rows.count)
                if failing {
                    logger.notice("the external Pusher server takes events again", metadata: ["target": "\(publisher.target)"])
                    failing = false
                }
                return
            }
            failed.increment(by: batch.rows.count)
            if !failing || !failure.affectsEveryBatch {
                logger.warning("could not publish outbox rows to the external Pusher server: \(failure); they stay pending and are retried with backoff",
                               metadata: ["target": "\(publisher.target)", "first_id": "\(first.id)", "last_id": "\(last.id)"])
            }
            if failure.affectsEveryBatch {
                failing = true
                control.sleep((batch.retryAfter ?? .seconds(1)) + .milliseconds(50))
            }
        }
    }
}
