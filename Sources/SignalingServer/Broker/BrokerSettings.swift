/// The PeerJS broker's path, limits and timers (docs/design.md, "PeerJS broker").
public struct BrokerSettings: Sendable {
    /// Where the broker lives: the PeerJS client's `path` option (the WebSocket is at
    /// `{path}/peerjs`).
    public var path: String
    /// How long a message waits for a peer that is not connected before its sender gets
    /// EXPIRE (PeerJS's `expire_timeout`).
    public var expireTimeout: Duration
    /// A peer that sends no HEARTBEAT for this long is disconnected (PeerJS's `alive_timeout`).
    public var aliveTimeout: Duration
    /// The most peers connected to this daemon (PeerJS's `concurrent_limit`).
    public var maximumPeers: Int
    /// Seconds a peer token lets a socket connect after it was issued.
    public var tokenLifetime: Int
    /// The largest message a peer may send, in bytes (SDP offers are a few kilobytes).
    public var maximumMessageBytes: Int
    /// Messages one peer may send per second; beyond it the peer gets ERROR and is closed.
    /// With the expire timeout it bounds what waits in `broker_messages` for absent peers.
    public var messagesPerSecond: Int

    /// Creates settings; the timers default to PeerJS's own (5 s expire, 60 s alive, 5,000 peers).
    public init(path: String = "/peerjs", expireTimeout: Duration = .seconds(5), aliveTimeout: Duration = .seconds(60),
                maximumPeers: Int = 5_000, tokenLifetime: Int = 600, maximumMessageBytes: Int = 64 * 1024,
                messagesPerSecond: Int = 100) {
        self.path = path
        self.expireTimeout = expireTimeout
        self.aliveTimeout = aliveTimeout
        self.maximumPeers = maximumPeers
        self.tokenLifetime = tokenLifetime
        self.maximumMessageBytes = maximumMessageBytes
        self.messagesPerSecond = messagesPerSecond
    }

    /// The WebSocket's path: `{path}/peerjs`.
    var socketPath: String { (path.hasSuffix("/") ? path : path + "/") + "peerjs" }
}
