import PusherProtocol

/// The answer of `/broadcasting/auth`, exactly as Laravel's Pusher broadcaster gives it:
/// `{"auth": "KEY:SIGNATURE"}`, plus `channel_data` for presence channels (the member the
/// connection joins as, a JSON string signed together with the socket id and channel).
struct ChannelAuthAnswer: Encodable, Equatable {
    /// `key:hex HMAC-SHA256`.
    let auth: String
    /// The presence member as JSON text; nil for private channels.
    let channelData: String?

    enum CodingKeys: String, CodingKey {
        case auth
        case channelData = "channel_data"
    }

    /// Signs a private channel (`member` nil) or a presence channel with `member`'s data.
    init(app: PusherApp, socketID: SocketID, channel: String, member: (id: Int64, name: String)?) {
        let data = member.map { Self.channelData(userId: $0.id, name: $0.name) }
        auth = ChannelAuthSignature.channel(app: app, socketID: socketID.rawValue, channel: channel, channelData: data).auth
        channelData = data
    }

    /// `{"user_id":ID,"user_info":{"id":ID,"name":"NAME"}}` as PHP's `json_encode` writes it
    /// (compact, in this key order, `/` and every non-ASCII character escaped), so the text
    /// and its signature equal what a Laravel back end would hand out for the same user.
    static func channelData(userId: Int64, name: String) -> String {
        "{\"user_id\":\(userId),\"user_info\":{\"id\":\(userId),\"name\":\"\(phpEscaped(name))\"}}"
    }

    /// The body of a JSON string literal with PHP's default escaping.
    static func phpEscaped(_ text: String) -> String {
        var out = ""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x2F: out += "\\/"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20...0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: out += "\\u" + String(repeating: "0", count: 4 - String(unit, radix: 16).count) + String(unit, radix: 16)
            }
        }
        return out
    }
}
