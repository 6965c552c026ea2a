import CallStore
import Foundation
import Logging
import Postgres
import SignalingServer

/// What the daemon's routes run on: the API's pool and the hub's (the schema checked), the
/// declared external Pusher target, the registered hub, the PeerJS broker (on the hub's pool,
/// hearing the hub's events), and the dependencies
/// ``buildRouter(configuration:dependencies:registry:)`` takes. `callctl serve` and
/// `callctl demo` open it inside ``ServeDaemon``; the route tests open it on their own to
/// serve the same router in the test process.
struct ServeBackend {
    /// The API's pool.
    let pool: PGPool
    /// The hub's pool, so a flood of subscriptions cannot take the connections the call lifecycle needs.
    let hubPool: PGPool
    /// The registered hub.
    let hub: Hub
    /// The router's dependencies: the API's pool, the hub, the broker and the clock.
    let dependencies: SignalingDependencies

    /// Opens both pools, checks the schema, runs `afterSchemaCheck` (the daemon bootstraps its
    /// metrics there, before the hub makes any), declares the external target, reads the
    /// channel rules (bad ones fail with exit 78) and registers the hub; closes the pools again
    /// when a step fails.
    static func open(
        configuration: SignalingConfiguration, database: ConnectionSettings, pools sizes: ServeDaemon.Pools,
        preparesStatements: Bool, logger: Logger, now: @escaping @Sendable () -> Date,
        afterSchemaCheck: () -> Void = {}
    ) async throws -> ServeBackend {
        // At most this many requests wait for a connection; more are refused at once.
        let waiters = 64 * sizes.size
        let pool = PGPool(settings: database, size: sizes.size, applicationName: "callctl serve", preparesStatements: preparesStatements,
                          acquireTimeout: sizes.timeout, maximumWaiters: waiters)
        let hubPool = PGPool(settings: database, size: sizes.hubSize, applicationName: "callctl serve hub",
                             preparesStatements: preparesStatements, acquireTimeout: sizes.timeout, maximumWaiters: 64 * sizes.hubSize)
        do {
            try await pool.withConnection(ServeSettings.checkSchema)
            afterSchemaCheck()
            let target = configuration.externalPusher?.description
            if let target, let replaced = try await pool.withConnection({ try OutboxDestinationStore.declare(target, on: $0) }) {
                logger.warning("the declared external Pusher target changed", metadata: ["from": "\(replaced)", "to": "\(target)"])
            }
            let channelRules: ChannelRulesCache
            do {
                channelRules = try await ChannelRulesCache.open(source: configuration.channelRules, pool: pool, logger: logger)
            } catch let error as ChannelRulesLoadError {
                throw Failure(message: "\(error); fix it (callctl channels rules check FILE shows each problem) and start again",
                              exitCode: Failure.configuration)
            }
            let hub = Hub(pool: hubPool, apps: configuration.apps, settings: configuration.hub, logger: logger, externalTarget: target,
                          channelRules: channelRules, webhooks: configuration.webhooks)
            try await hub.register()
            let broker = PeerBroker(pool: hubPool, apps: configuration.apps, settings: configuration.broker, logger: logger, now: now)
            hub.observe { broker.observe($0) }
            return ServeBackend(pool: pool, hubPool: hubPool, hub: hub,
                                dependencies: SignalingDependencies(pool: pool, hub: hub, broker: broker, channelRules: channelRules, now: now))
        } catch {
            await pool.close()
            await hubPool.close()
            throw error
        }
    }

    /// Closes both pools.
    func close() async {
        await pool.close()
        await hubPool.close()
    }
}
