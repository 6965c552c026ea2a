import Foundation
import CallStore
import Hummingbird
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import UnixSignals
import SignalingServer

/// The signaling daemon's parts, wired once for `callctl serve` and for `callctl demo`: the
/// pools, the hub (registered before it listens), the HTTP/WebSocket application, the hub's
/// housekeeping and the outbox relay in one service group.
struct ServeDaemon {
    /// The daemon's two pools: the API's and the hub's, so a flood of subscriptions cannot
    /// take the connections the call lifecycle needs; both answer `overloaded` after `timeout`.
    struct Pools {
        var size = 10
        var hubSize = 4
        var timeout: Duration = .seconds(2)
    }

    private let backend: ServeBackend
    private let group: ServiceGroup
    private let logger: Logger

    /// Opens the ``ServeBackend`` (bootstrapping metrics after the schema check) and builds the
    /// services; nothing listens yet.
    /// - Parameters:
    ///   - signals: the signals that shut the daemon down gracefully (none for the demo, which
    ///     stops it with ``stop()``).
    ///   - onServerRunning: called with the bound port (useful with port 0).
    static func make(
        configuration: SignalingConfiguration, database: ConnectionSettings, pools sizes: Pools, preparesStatements: Bool,
        signals: [UnixSignal], logger: Logger, now: @escaping @Sendable () -> Date,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws -> ServeDaemon {
        let registry = PrometheusCollectorRegistry()
        let backend = try await ServeBackend.open(
            configuration: configuration, database: database, pools: sizes, preparesStatements: preparesStatements,
            logger: logger, now: now, afterSchemaCheck: { MetricsSystem.bootstrap(metricsFactory(registry: registry)) })
        let app = buildApplication(
            configuration: configuration, dependencies: backend.dependencies,
            registry: registry, logger: logger, onServerRunning: onServerRunning)
        let relay = OutboxRelay(database: database, apps: configuration.apps, hub: backend.hub,
                                external: configuration.externalPusher, logger: logger)
        // Graceful shutdown runs in reverse order: the relays stop, the hub closes its
        // WebSockets with 4200 (the departures' webhooks are recorded, and delivered by the
        // next daemon to run), then the HTTP server drains.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app), .init(service: HubService(hub: backend.hub)),
            .init(service: BrokerService(broker: backend.dependencies.broker)), .init(service: relay)]
        if let webhooks = configuration.webhooks {
            services.append(.init(service: WebhookRelay(database: database, apps: configuration.apps, settings: webhooks, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: signals, logger: logger))
        return ServeDaemon(backend: backend, group: group, logger: logger)
    }

    /// Serves until a shutdown signal or ``stop()``, then closes the pool.
    func run() async throws {
        do {
            try await group.run()
        } catch {
            await backend.close()
            throw error
        }
        await backend.close()
        logger.notice("stopped")
    }

    /// Starts the graceful shutdown ``run()`` returns from.
    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
