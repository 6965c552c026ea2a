/// One member of a presence channel, as carried in the signed `channel_data`.
public struct PresenceMember: Sendable, Hashable {
    /// The member's id (numeric ids are kept as their decimal text).
    public let userID: String
    /// Optional app-defined info shared with other members.
    public let userInfo: PusherJSON?

    /// Creates a member.
    public init(userID: String, userInfo: PusherJSON? = nil) {
        self.userID = userID
        self.userInfo = userInfo
    }

    /// Reads a `channel_data` JSON string such as `{"user_id":10,"user_info":{…}}`.
    ///
    /// `user_id` must be a non-empty string or an integer; nil otherwise.
    public init?(channelData: String) {
        guard let json = PusherJSON(parsing: Array(channelData.utf8)) else { return nil }
        switch json["user_id"] {
        case .string(let id)? where !id.isEmpty: userID = id
        case .integer(let id)?: userID = String(id)
        default: return nil
        }
        userInfo = json["user_info"]
    }
}

/// Builders for the server-to-client protocol messages.
extension PusherMessage {
    /// The protocol version these messages implement.
    public static let protocolVersion = 7

    /// `pusher:connection_established` with `{"socket_id":…,"activity_timeout":…}`.
    public static func connectionEstablished(socketID: SocketID, activityTimeout: Int) -> PusherMessage {
        PusherMessage(event: "pusher:connection_established", data: .object([
            "socket_id": .string(socketID.rawValue),
            "activity_timeout": .integer(activityTimeout),
        ]))
    }

    /// `pusher:error` with `{"message":…,"code":…}` (`code` is null when nil).
    public static func error(message: String, code: Int?) -> PusherMessage {
        PusherMessage(event: "pusher:error", data: .object([
            "message": .string(message),
            "code": code.map(PusherJSON.integer) ?? .null,
        ]))
    }

    /// `pusher:error` for a protocol error code, using its standard message.
    public static func error(_ code: PusherErrorCode) -> PusherMessage {
        error(message: code.message, code: code.rawValue)
    }

    /// `pusher:pong`, the reply to a `pusher:ping`.
    public static func pong() -> PusherMessage {
        PusherMessage(event: "pusher:pong", data: .object([:]))
    }

    /// `pusher_internal:subscription_succeeded` for a public or private channel (`{}` data).
    public static func subscriptionSucceeded(channel: String) -> PusherMessage {
        PusherMessage(event: "pusher_internal:subscription_succeeded", channel: channel, data: .object([:]))
    }

    /// `pusher_internal:subscription_succeeded` for a presence channel:
    /// `{"presence":{"ids":[…],"hash":{id: info},"count":n}}`.
    ///
    /// A user connected several times is listed once (first occurrence wins).
    public static func subscriptionSucceeded(channel: String, members: [PresenceMember]) -> PusherMessage {
        var ids: [PusherJSON] = []
        var hash: [String: PusherJSON] = [:]
        for member in members where hash[member.userID] == nil {
            ids.append(.string(member.userID))
            hash[member.userID] = member.userInfo ?? .null
        }
        let presence: PusherJSON = .object(["ids": .array(ids), "hash": .object(hash), "count": .integer(ids.count)])
        return PusherMessage(event: "pusher_internal:subscription_succeeded", channel: channel,
                             data: .object(["presence": presence]))
    }

    /// `pusher_internal:member_added` with `{"user_id":…,"user_info":…}`.
    public static func memberAdded(channel: String, member: PresenceMember) -> PusherMessage {
        var data: [String: PusherJSON] = ["user_id": .string(member.userID)]
        if let info = member.userInfo { data["user_info"] = info }
        return PusherMessage(event: "pusher_internal:member_added", channel: channel, data: .object(data))
    }

    /// `pusher_internal:member_removed` with `{"user_id":…}`.
    public static func memberRemoved(channel: String, userID: String) -> PusherMessage {
        PusherMessage(event: "pusher_internal:member_removed", channel: channel,
                      data: .object(["user_id": .string(userID)]))
    }
}
