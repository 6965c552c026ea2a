/// The kinds of Pusher webhook events callctl sends, named as Pusher names them.
public enum WebhookEventKind: String, Sendable, CaseIterable, Hashable {
    /// A channel got its first subscriber across all daemons.
    case channelOccupied = "channel_occupied"
    /// A channel lost its last subscriber across all daemons.
    case channelVacated = "channel_vacated"
    /// A user's first connection joined a presence channel.
    case memberAdded = "member_added"
    /// A user's last connection left a presence channel.
    case memberRemoved = "member_removed"
    /// The hub accepted a client event.
    case clientEvent = "client_event"
}

/// One webhook event, as it is stored until delivered: the fields of Pusher's event object
/// (`name` is the kind); what a kind does not carry is nil.
public struct WebhookEvent: Sendable, Equatable {
    /// The kind (Pusher's `name`).
    public let kind: WebhookEventKind
    /// The app whose channel it concerns (its key and secret sign the request).
    public let appID: String
    /// The channel.
    public let channel: String
    /// The member (member events) or the sender on a presence channel (client events).
    public let userID: String?
    /// The client event's name.
    public let event: String?
    /// The client event's data, as the client sent it.
    public let data: String?
    /// The client event's sender.
    public let socketID: String?

    /// Creates an event; prefer the static constructors.
    public init(kind: WebhookEventKind, appID: String, channel: String, userID: String? = nil, event: String? = nil,
                data: String? = nil, socketID: String? = nil) {
        self.kind = kind
        self.appID = appID
        self.channel = channel
        self.userID = userID
        self.event = event
        self.data = data
        self.socketID = socketID
    }

    /// `channel_occupied` or `channel_vacated`.
    public static func occupancy(_ occupied: Bool, appID: String, channel: String) -> WebhookEvent {
        WebhookEvent(kind: occupied ? .channelOccupied : .channelVacated, appID: appID, channel: channel)
    }

    /// `member_added` or `member_removed`.
    public static func member(_ added: Bool, appID: String, channel: String, userID: String) -> WebhookEvent {
        WebhookEvent(kind: added ? .memberAdded : .memberRemoved, appID: appID, channel: channel, userID: userID)
    }

    /// `client_event`; `userID` only on presence channels.
    public static func client(appID: String, channel: String, event: String, data: String, socketID: String,
                              userID: String?) -> WebhookEvent {
        WebhookEvent(kind: .clientEvent, appID: appID, channel: channel, userID: userID, event: event, data: data, socketID: socketID)
    }
}
