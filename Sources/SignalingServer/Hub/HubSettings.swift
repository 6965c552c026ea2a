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

    /// Creates settings; the defaults are Pusher's (120 s activity, 30 s pong, 10 KB,
    /// 100 members, 10 client events per second).
    public init(activityTimeout: Int = 120, pongTimeout: Int = 30, maximumMessageBytes: Int = 10 * 1024,
                presenceMemberLimit: Int = 100, connectionLimit: Int = 20_000, clientEventsPerSecond: Int = 10,
                allowedOrigins: [String] = []) {
        self.activityTimeout = activityTimeout
        self.pongTimeout = pongTimeout
        self.maximumMessageBytes = maximumMessageBytes
        self.presenceMemberLimit = presenceMemberLimit
        self.connectionLimit = connectionLimit
        self.clientEventsPerSecond = clientEventsPerSecond
        self.allowedOrigins = allowedOrigins
    }
}
