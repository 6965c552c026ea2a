import AccessTokens
import CallStore
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
    /// The PeerJS broker's path, limits and timers.
    public var broker: BrokerSettings
    /// The recording webhook's secret, the recording storage and the download URLs' lifetime.
    public var recordings: RecordingSettings
    /// The external Pusher-compatible server the outbox is also published to
    /// (`CALLCTL_PUSHER_URL`); nil when the daemon's hub is the only destination.
    public var externalPusher: ExternalPusherTarget?
    /// How long a new connection has to send its first request head (the request line and
    /// every header, WebSocket upgrades included) before it is closed, like nginx's
    /// `client_header_timeout`.
    public var headerTimeout: Duration
    /// How long an HTTP keep-alive connection may go without a request part or response
    /// before it is closed, like nginx's `keepalive_timeout`. Established WebSockets are not
    /// affected: the hub's activity and pong timeouts govern them.
    public var idleTimeout: Duration
    /// Whether `calls.auto_accept` may take effect here (a development deployment, or one that
    /// allows it explicitly); elsewhere the setting is ignored.
    public var autoAcceptAllowed: Bool
    /// Where the channel rules come from (`CALLCTL_CHANNEL_RULES` or the settings table).
    public var channelRules: ChannelRulesSource
    /// The Pusher webhooks to the app (`CALLCTL_WEBHOOK_URLS`); nil when none is configured.
    public var webhooks: WebhookSettings?

    /// Creates a configuration.
    public init(host: String, port: Int, tokens: AccessTokenVerifier, apps: PusherApps, hub: HubSettings = HubSettings(),
                broker: BrokerSettings = BrokerSettings(), recordings: RecordingSettings = RecordingSettings(), iceServers: [IceServerURI] = [], turnSecret: String? = nil, turnCredentialTTL: Int = 3600,
                rateLimit: RateLimit = .standard, maximumBodyBytes: Int = 16 * 1024,
                externalPusher: ExternalPusherTarget? = nil, headerTimeout: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(60), autoAcceptAllowed: Bool = false,
                channelRules: ChannelRulesSource = ChannelRulesSource(file: nil), webhooks: WebhookSettings? = nil) {
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
        self.broker = broker
        self.recordings = recordings
        self.externalPusher = externalPusher
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.autoAcceptAllowed = autoAcceptAllowed
        self.channelRules = channelRules
        self.webhooks = webhooks
    }
}

/// What the daemon works with besides its configuration: the database pool, the hub and the
/// clock. Tests build their own.
public struct SignalingDependencies: Sendable {
    /// The database.
    public var pool: PGPool
    /// The WebSocket hub: publishes events and answers channel queries.
    public var hub: Hub
    /// The PeerJS broker.
    public var broker: PeerBroker
    /// The channel rules `/broadcasting/auth` and the hub apply.
    public var channelRules: ChannelRulesCache
    /// The clock.
    public var now: @Sendable () -> Date

    /// Creates the dependencies.
    public init(pool: PGPool, hub: Hub, broker: PeerBroker, channelRules: ChannelRulesCache,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.pool = pool
        self.hub = hub
        self.broker = broker
        self.channelRules = channelRules
        self.now = now
    }
}
