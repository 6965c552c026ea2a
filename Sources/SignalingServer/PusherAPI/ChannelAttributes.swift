import Foundation
import PusherProtocol

/// The `info` attributes a channel query (or a trigger) asks for: `user_count` (presence
/// channels only) and `subscription_count`.
struct ChannelAttributes: Equatable {
    /// `user_count` was asked for.
    var userCount = false
    /// `subscription_count` was asked for.
    var subscriptionCount = false

    /// Refuses `user_count` for what is not a presence channel, as Pusher does.
    /// - Throws: ``APIError`` 400 `validation`.
    func requirePresence(_ isPresence: Bool, for subject: String) throws {
        guard !userCount || isPresence else {
            throw APIError.validation("info=user_count is only available for presence channels; \(subject) is not one. "
                                      + "Ask for subscription_count instead.", status: .badRequest)
        }
    }

    /// The attributes of a channel; an unoccupied one (nil) counts zero.
    func values(_ channel: HubChannelInfo?, isPresence: Bool) -> ChannelAttributeValues {
        ChannelAttributeValues(
            userCount: userCount && isPresence ? channel?.userCount ?? 0 : nil,
            subscriptionCount: subscriptionCount ? channel?.subscriptionCount ?? 0 : nil)
    }

    /// True for a `presence-` channel name.
    static func isPresence(_ name: String) -> Bool {
        PusherChannelName(name)?.kind == .presence
    }
}

extension ChannelAttributes {
    /// Parses the comma-separated `info` value; nil asks for nothing. `prefix` is put before
    /// `info` in messages (a batch item's position).
    /// - Throws: ``APIError`` 400 `validation` for an attribute Pusher does not define.
    init(info: String?, prefix: String = "") throws {
        for attribute in (info ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !attribute.isEmpty {
            switch attribute {
            case "user_count": userCount = true
            case "subscription_count": subscriptionCount = true
            default:
                throw APIError.validation(prefix + "info may list user_count and subscription_count; \"\(attribute.prefix(32))\" is not one.",
                                          status: .badRequest)
            }
        }
    }
}

/// The attributes of one channel as the API writes them; absent ones are left out, so
/// nothing asked gives `{}`.
struct ChannelAttributeValues: Encodable, Equatable {
    var userCount: Int?
    var subscriptionCount: Int?

    enum CodingKeys: String, CodingKey {
        case userCount = "user_count"
        case subscriptionCount = "subscription_count"
    }
}

/// `GET /apps/{id}/channels/{name}`: `{"occupied": …, "user_count"?, "subscription_count"?}`.
struct ChannelStateAnswer: Encodable, Equatable {
    var occupied: Bool
    var userCount: Int?
    var subscriptionCount: Int?

    enum CodingKeys: String, CodingKey {
        case occupied
        case userCount = "user_count"
        case subscriptionCount = "subscription_count"
    }
}

/// `GET /apps/{id}/channels` and a trigger with `info`: `{"channels": {name: {…}}}`.
struct ChannelListAnswer: Encodable, Equatable {
    var channels: [String: ChannelAttributeValues]
}

/// `POST /apps/{id}/batch_events`: `{"batch": [{…} per event]}`.
struct BatchAnswer: Encodable, Equatable {
    var batch: [ChannelAttributeValues]
}

/// `GET /apps/{id}/channels/{name}/users`: `{"users": [{"id": "…"}]}`.
struct UserListAnswer: Encodable, Equatable {
    struct User: Encodable, Equatable {
        var id: String
    }

    var users: [User]
}

/// `{}`: the answer of a trigger without `info`.
struct EmptyAnswer: Encodable, Equatable {}
