import CallStore
import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// The daemon's webhook relay, a swift-service-lifecycle `Service` run on every daemon: it
/// delivers `webhook_events` to their URLs (``WebhookRelayLoop``) on a thread and a connection
/// of its own, so blocking libpq and libcurl calls never occupy Swift's cooperative pool.
/// Graceful shutdown stops it within about a quarter of a second (a POST in flight is let
/// finish, up to its timeout).
public struct WebhookRelay: Service {
    private let loop: WebhookRelayLoop
    private let control: RelayControl

    /// Creates the relay for `settings`, signing each app's events with its key and secret.
    public init(database: ConnectionSettings, apps: PusherApps, settings: WebhookSettings, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }) {
        control = RelayControl()
        loop = WebhookRelayLoop(database: database, apps: apps, settings: settings,
                                sender: WebhookSender(timeout: settings.timeout, now: now), control: control, logger: logger)
    }

    /// Delivers until graceful shutdown or cancellation.
    public func run() async {
        loop.logger.info("webhook relay started", metadata: ["urls": "\(loop.settings.routes.map(\.displayName))"])
        await withTaskCancellationOrGracefulShutdownHandler {
            await OutboxRelay.onThread("callctl-webhooks") { loop.run() }
        } onCancelOrGracefulShutdown: {
            control.stop()
        }
        loop.logger.info("webhook relay stopped")
    }
}
