import Foundation

/// A hub event as it travels between daemons in a `NOTIFY callctl_hub` payload, or, when
/// too large for one (PostgreSQL allows under 8000 bytes), as a `hub_messages` row whose id
/// the notification carries.
struct HubFanout: Codable, Sendable {
    /// The notification channel every daemon listens on.
    static let notifyChannel = "callctl_hub"
    /// The largest payload sent inline.
    static let inlineLimit = 7_500

    /// The daemon that sent it (which ignores its own notifications).
    var origin: UUID
    /// The event; absent when the body is in `hub_messages`, or in a daemon's announcement.
    var event: Event?
    /// The `hub_messages` id holding the full body.
    var stored: Int64?

    struct Event: Codable, Sendable {
        var app: String
        var channel: String
        var name: String
        var data: String
        var except: String?
        var user: String?
    }

    init(origin: UUID, event: HubEvent) {
        self.origin = origin
        self.event = Event(app: event.appID, channel: event.channel, name: event.event, data: event.data,
                           except: event.excludedSocket, user: event.userID)
    }

    init(origin: UUID, stored: Int64) {
        self.origin = origin
        self.stored = stored
    }

    /// A daemon announcing itself: no event.
    init(origin: UUID) {
        self.origin = origin
    }

    /// The JSON text.
    var text: String {
        (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Reads a payload; nil when it is not one.
    init?(text: String) {
        guard let value = try? JSONDecoder().decode(Self.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    /// The event it carries.
    var hubEvent: HubEvent? {
        event.map { HubEvent(appID: $0.app, channel: $0.channel, event: $0.name, data: $0.data,
                             excludedSocket: $0.except, userID: $0.user) }
    }
}
