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

    private let pools: [PGPool]
    private let group: ServiceGroup
    private let logger: Logger

    /// Checks the schema, bootstraps metrics and builds the services; nothing listens yet.
    /// - Parameters:
    ///   - signals: the signals that shut the daemon down gracefully (none for the demo, which
    ///     stops it with ``stop()``).
    ///   - onServerRunning: called with the bound port (useful with port 0).
    static func make(
        configuration: SignalingConfiguration, database: ConnectionSettings, pools sizes: Pools, preparesStatements: Bool,
        signals: [UnixSignal], logger: Logger, now: @escaping @Sendable () -> Date,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws -> ServeDaemon {
        // At most this many requests wait for a connection; more are refused at once.
        let waiters = 64 * sizes.size
        let pool = PGPool(settings: database, size: sizes.size, applicationName: "callctl serve", preparesStatements: preparesStatements,
                          acquireTimeout: sizes.timeout, maximumWaiters: waiters)
        let hubPool = PGPool(settings: database, size: sizes.hubSize, applicationName: "callctl serve hub",
                             preparesStatements: preparesStatements, acquireTimeout: sizes.timeout, maximumWaiters: 64 * sizes.hubSize)
        do {
            try await pool.withConnection(ServeSettings.checkSchema)
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(metricsFactory(registry: registry))
            let target = configuration.externalPusher?.description
            if let target, let replaced = try await pool.withConnection({ try OutboxDestinationStore.declare(target, on: $0) }) {
                logger.warning("the declared external Pusher target changed", metadata: ["from": "\(replaced)", "to": "\(target)"])
            }
            let hub = Hub(pool: hubPool, apps: configuration.apps, settings: configuration.hub, logger: logger, externalTarget: target)
            try await hub.register()
            let app = buildApplication(
                configuration: configuration, dependencies: SignalingDependencies(pool: pool, hub: hub, now: now),
                registry: registry, logger: logger, onServerRunning: onServerRunning)
            let relay = OutboxRelay(database: database, apps: configuration.apps, hub: hub,
                                    external: configuration.externalPusher, logger: logger)
            // Graceful shutdown runs in reverse order: the relay stops, the hub closes its
            // WebSockets with 4200, then the HTTP server drains.
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: app), .init(service: HubService(hub: hub)), .init(service: relay)],
                gracefulShutdownSignals: signals, logger: logger))
            return ServeDaemon(pools: [pool, hubPool], group: group, logger: logger)
        } catch {
            await pool.close()
            await hubPool.close()
            throw error
        }
    }

    /// Serves until a shutdown signal or ``stop()``, then closes the pool.
    func run() async throws {
        do {
            try await group.run()
        } catch {
            for pool in pools { await pool.close() }
            throw error
        }
        for pool in pools { await pool.close() }
        logger.notice("stopped")
    }

    /// Starts the graceful shutdown ``run()`` returns from.
    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
