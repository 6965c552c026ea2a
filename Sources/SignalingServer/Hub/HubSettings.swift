/// The WebSocket hub's limits and timers.
public struct HubSettings: Sendable {
    /// Seconds of silence after which the server pings a client, and which it announces in
    /// `pusher:connection_established` as `activity_timeout`.
    public var activityTimeout: Int
    /// Seconds a pinged client has to answer before it is closed with 4201.
    public var pongTimeout: Int
    /// The largest message accepted from a client or through the HTTP API, in bytes.
    public var maximumMessageBytes: Int
    /// The most distinct members of one presence channel.
    public var presenceMemberLimit: Int
    /// The most connections per app on this daemon (4004 beyond it).
    public var connectionLimit: Int
    /// Client events one connection may send per second (4301 beyond it).
    public var clientEventsPerSecond: Int
    /// `Origin` values allowed to connect; empty allows any.
    public var allowedOrigins: [String]
    /// The most channels one connection may be subscribed to (more are refused with
    /// `pusher:subscription_error` `LimitReached`).
    public var channelsPerConnection: Int
    /// Subscriptions one connection may ask for per second (4301 beyond it).
    public var subscriptionsPerSecond: Int
    /// Messages one connection may send per second; a connection past it is closed with 4100
    /// (over capacity: Pusher clients reconnect after a back-off), so no client can keep the
    /// daemon's event loops busy.
    public var messagesPerSecond: Int
    /// The most connections from one client address on this daemon (4004 beyond it).
    public var connectionsPerAddress: Int
    /// The proxies whose `X-Forwarded-For` names the client address.
    public var trustedProxies: TrustedProxies

    /// Creates settings; the defaults are Pusher's (120 s activity, 30 s pong, 10 KB,
    /// 100 members, 10 client events per second) and callctl's bounds on one client (100
    /// channels a connection, 50 subscriptions and 100 messages a second, 100 connections an address).
    public init(activityTimeout: Int = 120, pongTimeout: Int = 30, maximumMessageBytes: Int = 10 * 1024,
                presenceMemberLimit: Int = 100, connectionLimit: Int = 20_000, clientEventsPerSecond: Int = 10,
                allowedOrigins: [String] = [], channelsPerConnection: Int = 100, subscriptionsPerSecond: Int = 50,
                messagesPerSecond: Int = 100, connectionsPerAddress: Int = 100, trustedProxies: TrustedProxies = .none) {
        self.messagesPerSecond = messagesPerSecond
        self.channelsPerConnection = channelsPerConnection
        self.subscriptionsPerSecond = subscriptionsPerSecond
        self.connectionsPerAddress = connectionsPerAddress
        self.trustedProxies = trustedProxies
        self.activityTimeout = activityTimeout
        self.pongTimeout = pongTimeout
        self.maximumMessageBytes = maximumMessageBytes
        self.presenceMemberLimit = presenceMemberLimit
        self.connectionLimit = connectionLimit
        self.clientEventsPerSecond = clientEventsPerSecond
        self.allowedOrigins = allowedOrigins
    }
}
