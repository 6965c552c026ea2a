import CallStore
import Logging
import Metrics
import Postgres

/// The local relay, run on a thread of its own: a dedicated connection that `LISTEN`s on
/// `callctl_outbox`, relays every unrelayed row in batches (fan-out to the other daemons inside
/// the claim's transaction, local delivery after COMMIT), then waits for a `NOTIFY` or the
/// poll interval. A lost connection is logged once and reopened with backoff; after reopening
/// it relays at once, since notifications sent meanwhile were missed.
struct OutboxRelayLoop: Sendable {
    /// Rows per claim transaction.
    static let batchSize = 100
    /// The longest wait inside `waitForNotification`, so a stop is noticed promptly.
    static let waitSlice = Duration.milliseconds(250)

    let database: ConnectionSettings
    let appID: String
    let hub: any HubPublishing
    let externalConfigured: Bool
    let pollInterval: Duration
    let control: RelayControl
    let logger: Logger

    func run() {
        let relayed = Counter(label: "callctl_outbox_relayed_total")
        var connection: PGConnection?
        var failures = 0
        defer { connection?.close() }
        while !control.isStopped {
            do {
                let live = try connection ?? open()
                connection = live
                if failures > 0 {
                    logger.notice("outbox relay reconnected to PostgreSQL; relaying what arrived meanwhile",
                                  metadata: ["failed_attempts": "\(failures)"])
                    failures = 0
                }
                try relayPending(on: live, counter: relayed)
                try waitForWork(on: live)
            } catch {
                connection?.close()
                connection = nil
                failures += 1
                if failures == 1 {
                    let cause = (error as? PostgresError)?.isUnavailable == true ? "lost PostgreSQL" : "failed"
                    logger.error("outbox relay \(cause); events wait in the outbox and are relayed once it recovers (retrying every few seconds)",
                                 metadata: ["error": "\(error)"])
                }
                control.sleep(Self.reconnectDelay(afterFailures: failures))
            }
        }
    }

    /// 250 ms after the first failure, doubling to at most 5 s.
    static func reconnectDelay(afterFailures failures: Int) -> Duration {
        min(.milliseconds(250 << min(max(failures, 1) - 1, 5)), .seconds(5))
    }

    private func open() throws -> PGConnection {
        let connection = try PGConnection(settings: database, applicationName: "callctl outbox relay")
        do {
            try connection.listen(ChangeRecorder.notifyChannel)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Relays batches until one comes back short (the rest, if any, is held by another daemon).
    private func relayPending(on connection: PGConnection, counter: Counter) throws {
        while !control.isStopped {
            let rows = try OutboxRelayStore.relayBatch(limit: Self.batchSize, externalConfigured: externalConfigured,
                                                       on: connection) { rows in
                try hub.fanOut(events(rows), on: connection)
            }
            guard !rows.isEmpty else { return }
            hub.deliverLocally(events(rows))
            counter.increment(by: rows.count)
            if externalConfigured { control.wake() }
            if rows.count < Self.batchSize { return }
        }
    }

    private func events(_ rows: [OutboxRow]) -> [HubEvent] {
        rows.map { HubEvent(appID: appID, channel: $0.channel, event: $0.event, data: $0.payloadJSONText) }
    }

    /// Returns after a notification (draining the others: one pass relays them all), after the
    /// poll interval, or when the relay stops.
    private func waitForWork(on connection: PGConnection) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + pollInterval
        while !control.isStopped {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return }
            if try connection.waitForNotification(timeout: min(remaining, Self.waitSlice)) != nil {
                while try connection.waitForNotification(timeout: .zero) != nil {}
                return
            }
        }
    }
}
