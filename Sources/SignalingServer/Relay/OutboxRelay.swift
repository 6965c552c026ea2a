import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// The daemon's outbox relay, a swift-service-lifecycle `Service`.
///
/// It delivers every outbox row, in id order, to the WebSocket hub's subscribers on every daemon
/// (``HubPublishing``: fan-out inside the transaction that sets `relayed_at`, local delivery
/// after COMMIT) and, when ``ExternalPusherTarget`` is given, publishes them to that server too.
/// It works on dedicated connections and threads of its own (blocking libpq and libcurl calls
/// never occupy Swift's cooperative pool), wakes on `NOTIFY callctl_outbox`, polls every
/// `pollInterval` in case a notification was lost, and survives a database or external server
/// outage without losing or skipping a row. Graceful shutdown or cancellation stops it within
/// about a quarter of a second (a request to the external server in flight is let finish).
///
/// Put it in the daemon's `ServiceGroup` after the hub, so it stops before the hub does.
public struct OutboxRelay: Service {
    private let database: ConnectionSettings
    private let apps: PusherApps
    private let hub: any HubPublishing
    private let external: ExternalPusherTarget?
    private let pollInterval: Duration
    private let logger: Logger

    /// Creates the relay.
    ///
    /// - Parameters:
    ///   - database: where the outbox is; the relay opens its own connections (one, two with
    ///     an external target), not the pool's.
    ///   - apps: events go to channels of `apps.primary`.
    ///   - hub: the daemon's hub.
    ///   - external: the server named by `CALLCTL_PUSHER_URL`, if any; with one, `published_at`
    ///     waits for that server's acceptance.
    ///   - pollInterval: the longest wait between two looks at the outbox without a `NOTIFY`.
    ///   - logger: where outages and recoveries are logged (once each).
    public init(database: ConnectionSettings, apps: PusherApps, hub: any HubPublishing,
                external: ExternalPusherTarget? = nil, pollInterval: Duration = .seconds(2), logger: Logger) {
        self.database = database
        self.apps = apps
        self.hub = hub
        self.external = external
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Relays until graceful shutdown or cancellation.
    public func run() async {
        let control = RelayControl()
        let relay = OutboxRelayLoop(database: database, appID: apps.primary.id, hub: hub, externalConfigured: external != nil,
                                    pollInterval: pollInterval, control: control, logger: logger)
        let publish = external.map {
            OutboxPublishLoop(database: database, publisher: ExternalPusherPublisher(target: $0), pollInterval: pollInterval,
                              control: control, logger: logger)
        }
        logger.info("outbox relay started", metadata: [
            "external": "\(external.map(\.description) ?? "none")", "poll_interval": "\(pollInterval)"])
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await Self.onThread("callctl-outbox-relay") { relay.run() } }
                if let publish {
                    group.addTask { await Self.onThread("callctl-outbox-publish") { publish.run() } }
                }
            }
        } onCancelOrGracefulShutdown: {
            control.stop()
        }
        logger.info("outbox relay stopped")
    }

    /// Runs a blocking loop on a new thread and returns when it ends (the webhook relay too).
    static func onThread(_ name: String, _ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                body()
                continuation.resume()
            }
            thread.name = name
            thread.start()
        }
    }
}
