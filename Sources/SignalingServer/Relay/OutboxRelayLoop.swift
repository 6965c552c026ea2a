import CallStore
import Logging
import Metrics
import Postgres

/// The local relay, run on a thread of its own: a dedicated connection (``DatabaseLoop``) that
/// `LISTEN`s on `callctl_outbox`, relays every unrelayed row in batches (fan-out to the other
/// daemons inside the claim's transaction, local delivery after COMMIT), then waits for a
/// `NOTIFY` or the poll interval. After a lost connection is reopened it relays at once, since
/// notifications sent meanwhile were missed.
struct OutboxRelayLoop: Sendable {
    /// Rows per claim transaction.
    static let batchSize = 100

    let database: ConnectionSettings
    let appID: String
    let hub: any HubPublishing
    let externalConfigured: Bool
    let pollInterval: Duration
    let control: RelayControl
    let logger: Logger

    func run() {
        let relayed = Counter(label: "callctl_outbox_relayed_total")
        let loop = DatabaseLoop(database: database, name: "outbox relay",
                                meanwhile: "events wait in the outbox and are relayed once it recovers (retrying every few seconds)",
                                control: control, logger: logger)
        loop.run(prepare: { try $0.listen(ChangeRecorder.notifyChannel) }) { live in
            try relayPending(on: live, counter: relayed)
            try loop.waitForNotification(on: live, poll: pollInterval)
        }
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
}
