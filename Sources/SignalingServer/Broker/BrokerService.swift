import CallStore
import Logging
import ServiceLifecycle

/// Runs the broker's background work for `serve`: the `callctl_broker` listener (messages
/// other daemons stored for this daemon's peers); every 250 ms, EXPIRE for messages nobody
/// claimed in time and the disconnection of silent peers; every hour, the pruning of peer ids of
/// calls ended a day ago. On graceful shutdown it closes every broker socket (the clients
/// reconnect, to another daemon, with the same id and token).
public struct BrokerService: Service {
    private let broker: PeerBroker
    private let listener: NotificationListener

    /// Creates the service for `broker`.
    public init(broker: PeerBroker) {
        self.broker = broker
        listener = NotificationListener(channel: BrokerMessageStore.notifyChannel, database: broker.pool.settings, logger: broker.logger,
                                        reconnected: { broker.catchUp(on: $0) }) { broker.receiveNotice($0, on: $1) }
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await listener.run() }
            try? await cancelWhenGracefulShutdown {
                var tick = 0
                while true {
                    try await Task.sleep(for: .milliseconds(250))
                    tick += 1
                    await broker.sweep()
                    if tick % 14_400 == 0 {
                        _ = try? await broker.pool.withConnection { try BrokerPeerStore.prune(endedBefore: 86_400, on: $0) }
                    }
                }
            }
            broker.closeAll()
            listener.stop()
        }
    }
}
