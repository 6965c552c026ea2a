import Foundation
import Hummingbird
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import UnixSignals
import SignalingServer

/// The signaling daemon's parts, wired once for `callctl serve` and for `callctl demo`: the
/// pool, the hub (registered before it listens), the HTTP/WebSocket application, the hub's
/// housekeeping and the outbox relay in one service group.
struct ServeDaemon {
    private let pool: PGPool
    private let group: ServiceGroup
    private let logger: Logger

    /// Checks the schema, bootstraps metrics and builds the services; nothing listens yet.
    /// - Parameters:
    ///   - signals: the signals that shut the daemon down gracefully (none for the demo, which
    ///     stops it with ``stop()``).
    ///   - onServerRunning: called with the bound port (useful with port 0).
    static func make(
        configuration: SignalingConfiguration, database: ConnectionSettings, poolSize: Int, preparesStatements: Bool,
        signals: [UnixSignal], logger: Logger, now: @escaping @Sendable () -> Date,
        onServerRunning: @escaping @Sendable (Int) async -> Void
    ) async throws -> ServeDaemon {
        let pool = PGPool(settings: database, size: poolSize, applicationName: "callctl serve", preparesStatements: preparesStatements)
        do {
            try await pool.withConnection(ServeSettings.checkSchema)
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(metricsFactory(registry: registry))
            let hub = Hub(pool: pool, apps: configuration.apps, settings: configuration.hub, logger: logger)
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
            return ServeDaemon(pool: pool, group: group, logger: logger)
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Serves until a shutdown signal or ``stop()``, then closes the pool.
    func run() async throws {
        do {
            try await group.run()
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        logger.notice("stopped")
    }

    /// Starts the graceful shutdown ``run()`` returns from.
    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
