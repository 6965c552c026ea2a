import CallStore
import Logging
import ServiceLifecycle

/// Runs the hub's background work for `serve`: the fan-out listener, the activity sweep
/// (pings, 4201 for silent clients), the daemon heartbeat that clears subscriptions of
/// daemons that died, and the pruning of large fanned-out messages.
///
/// On graceful shutdown it closes every connection with 4200 (reconnect now, to another
/// daemon) and removes this daemon's subscriptions, announcing the presence departures.
public struct HubService: Service {
    private let hub: Hub
    private let listener: NotificationListener

    /// Creates the service for `hub`.
    public init(hub: Hub) {
        self.hub = hub
        listener = NotificationListener(channel: HubFanout.notifyChannel, database: hub.pool.settings, logger: hub.logger) {
            hub.receiveFanout($0, on: $1)
        }
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await listener.run() }
            group.addTask {
                // Subscriptions without members are written in batches, every 50 ms.
                while !hub.isClosing {
                    try? await Task.sleep(for: .milliseconds(50))
                    await hub.flushSubscriptions()
                }
            }
            try? await cancelWhenGracefulShutdown {
                var tick = 0
                while true {
                    try await Task.sleep(for: .seconds(1))
                    tick += 1
                    hub.sweep()
                    if tick % 5 == 0 { await heartbeat() }
                    if tick % 30 == 0 { _ = try? await hub.pool.withConnection { try HubStore(connection: $0).pruneMessages(olderThan: 60) } }
                    if tick % 600 == 0 { _ = try? await hub.pool.withConnection(AppointmentChannelLog.prune) }
                }
            }
            hub.closeAll(.reconnectImmediately, reason: "server shutting down")
            for _ in 0..<40 where hub.connectionCount > 0 { try? await Task.sleep(for: .milliseconds(50)) }
            let rules = await hub.channelRules.current()
            let departures = (try? await hub.pool.withConnection { [daemon = hub.daemonID] in
                try hub.store(on: $0, rules: rules).retire(daemon: daemon)
            }) ?? []
            await hub.announce(departures, reason: .shutdown)
            listener.stop()
        }
    }

    private func heartbeat() async {
        do {
            try await hub.register()
        } catch {
            hub.logger.warning("hub heartbeat failed", metadata: ["error": "\(error)"])
        }
    }
}
