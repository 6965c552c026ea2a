import AccessTokens
import Foundation
import ICE
import Postgres

/// Everything `callctl serve` is configured with, resolved and validated by the command.
public struct SignalingConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on.
    public var port: Int
    /// Verifies bearer tokens.
    public var tokens: AccessTokenVerifier
    /// STUN/TURN servers handed to participants (`CALLCTL_ICE_SERVERS`).
    public var iceServers: [IceServerURI]
    /// The coturn `static-auth-secret` for TURN REST credentials (`CALLCTL_TURN_SECRET`).
    public var turnSecret: String?
    /// How long handed-out TURN credentials stay valid, in seconds.
    public var turnCredentialTTL: Int
    /// The limit on `request` and `accept` per user and appointment.
    public var rateLimit: RateLimit
    /// The largest request body accepted, in bytes.
    public var maximumBodyBytes: Int
    /// The Pusher apps the hub serves; the first signs `/broadcasting/auth` and receives the outbox.
    public var apps: PusherApps
    /// The WebSocket hub's limits and timers.
    public var hub: HubSettings

    /// Creates a configuration.
    public init(host: String, port: Int, tokens: AccessTokenVerifier, apps: PusherApps, hub: HubSettings = HubSettings(),
                iceServers: [IceServerURI] = [], turnSecret: String? = nil, turnCredentialTTL: Int = 3600,
                rateLimit: RateLimit = .standard, maximumBodyBytes: Int = 16 * 1024) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.iceServers = iceServers
        self.turnSecret = turnSecret
        self.turnCredentialTTL = turnCredentialTTL
        self.rateLimit = rateLimit
        self.maximumBodyBytes = maximumBodyBytes
        self.apps = apps
        self.hub = hub
    }
}

/// What the daemon works with besides its configuration: the database pool and the clock.
/// Tests build their own.
public struct SignalingDependencies: Sendable {
    /// The database.
    public var pool: PGPool
    /// The clock.
    public var now: @Sendable () -> Date

    /// Creates the dependencies.
    public init(pool: PGPool, now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.now = now
    }
}
