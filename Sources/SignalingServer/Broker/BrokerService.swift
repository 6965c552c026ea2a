import CallStore
import Logging
import ServiceLifecycle

/// Runs the broker's timers for `serve`: every 250 ms, EXPIRE for messages held too long and
/// the disconnection of silent peers; every hour, the pruning of peer ids of calls ended a day
/// ago. On graceful shutdown it closes every broker socket (the clients reconnect to another
/// daemon with the same id and token).
public struct BrokerService: Service {
    private let broker: PeerBroker

    /// Creates the service for `broker`.
    public init(broker: PeerBroker) {
        self.broker = broker
    }

    public func run() async {
        try? await cancelWhenGracefulShutdown {
            var tick = 0
            while true {
                try await Task.sleep(for: .milliseconds(250))
                tick += 1
                broker.sweep()
                if tick % 14_400 == 0 {
                    _ = try? await broker.pool.withConnection { try BrokerPeerStore.prune(endedBefore: 86_400, on: $0) }
                }
            }
        }
        broker.closeAll()
    }
}
