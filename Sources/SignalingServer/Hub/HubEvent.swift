import Postgres

/// One event for the subscribers of one channel of one app.
public struct HubEvent: Sendable, Equatable {
    /// The Pusher app the channel belongs to.
    public var appID: String
    /// The channel name.
    public var channel: String
    /// The event name, e.g. `App\Events\AppointmentCallRequested` or `client-typing`.
    public var event: String
    /// The `data` member as it goes on the wire: Pusher carries data as a string, usually
    /// JSON text; it is passed through unchanged.
    public var data: String
    /// A socket that must not receive it: the sender of a client event, or the HTTP API's
    /// `socket_id` ("everyone but me").
    public var excludedSocket: String?
    /// The sending member's user id, for a client event on a presence channel.
    public var userID: String?

    /// Creates an event.
    public init(appID: String, channel: String, event: String, data: String, excludedSocket: String? = nil,
                userID: String? = nil) {
        self.appID = appID
        self.channel = channel
        self.event = event
        self.data = data
        self.excludedSocket = excludedSocket
        self.userID = userID
    }
}

/// Delivers events to the subscribers on this daemon and, through PostgreSQL `NOTIFY`, on
/// every other daemon sharing the database.
///
/// The outbox relay uses the two halves separately: ``fanOut(_:on:)`` inside the transaction
/// that marks rows relayed (other daemons receive them exactly when the mark commits), then
/// ``deliverLocally(_:)`` after the commit.
public protocol HubPublishing: Sendable {
    /// Sends `events` to the other daemons on `connection`; inside a transaction they are
    /// delivered at COMMIT, and not at all on ROLLBACK.
    func fanOut(_ events: [HubEvent], on connection: PGConnection) throws
    /// Delivers `events`, in order, to this daemon's subscribers.
    func deliverLocally(_ events: [HubEvent])
    /// Both: delivers locally, then fans out on a pooled connection outside any transaction.
    func publish(_ events: [HubEvent]) async throws
}

/// An occupied channel as the HTTP API reports it, counted over all daemons.
public struct HubChannelInfo: Sendable, Equatable {
    /// The channel name.
    public var name: String
    /// Live subscriptions (connections) to it.
    public var subscriptionCount: Int
    /// Distinct presence members; nil for channels that are not presence channels.
    public var userCount: Int?

    /// Creates a channel description.
    public init(name: String, subscriptionCount: Int, userCount: Int?) {
        self.name = name
        self.subscriptionCount = subscriptionCount
        self.userCount = userCount
    }
}

/// What the HTTP API reads about channels: the same answer on every daemon.
public protocol HubDirectory: Sendable {
    /// Occupied channels of an app whose names start with `prefix` (all when nil).
    func channels(appID: String, prefix: String?) async throws -> [HubChannelInfo]
    /// One channel; nil when nobody is subscribed.
    func channel(appID: String, name: String) async throws -> HubChannelInfo?
    /// The distinct user ids present in a presence channel.
    func users(appID: String, channel: String) async throws -> [String]
}
