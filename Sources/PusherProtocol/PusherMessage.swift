import Foundation

/// Why an incoming WebSocket frame could not be turned into a `PusherMessage`.
public enum PusherMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame is larger than the configured limit; it was not parsed.
    case tooLarge(bytes: Int, limit: Int)
    /// The frame is not valid JSON.
    case malformedJSON
    /// The frame is valid JSON but not an object.
    case notAnObject
    /// The object has no non-empty string `event`.
    case missingEvent
    /// `channel` is present but not a string.
    case invalidChannel

    /// One sentence describing the failure.
    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "The message is \(bytes) bytes, over the \(limit)-byte limit."
        case .malformedJSON: "The message is not valid JSON."
        case .notAnObject: "The message is not a JSON object."
        case .missingEvent: "The message has no event name."
        case .invalidChannel: "The message's channel is not a string."
        }
    }
}

/// One Pusher protocol frame: `{"event": …, "channel": …, "data": …}`.
///
/// On the wire Pusher carries structured `data` as a JSON-encoded *string*
/// (`"data":"{\"socket_id\":…}"`). `encoded()` does that for any non-string data;
/// `decode` accepts `data` either as such a string or as a plain object (as clients send
/// `pusher:subscribe`), and turns a string holding a JSON object or array back into it.
public struct PusherMessage: Sendable, Hashable {
    /// Default maximum accepted frame size in bytes (Pusher's 10 KB message limit).
    public static let defaultMaxBytes = 10 * 1024

    /// Event name, e.g. `pusher:subscribe`, `client-typing` or an app event.
    public var event: String
    /// Channel the event belongs to, if any.
    public var channel: String?
    /// Payload; `.null` when absent.
    public var data: PusherJSON

    /// Creates a message.
    public init(event: String, channel: String? = nil, data: PusherJSON = .null) {
        self.event = event
        self.channel = channel
        self.data = data
    }

    /// Parses a frame, refusing it before parsing if it exceeds `maxBytes`.
    public static func decode(_ frame: some DataProtocol,
                              maxBytes: Int = defaultMaxBytes) throws(PusherMessageError) -> PusherMessage {
        guard frame.count <= maxBytes else { throw .tooLarge(bytes: frame.count, limit: maxBytes) }
        guard let json = PusherJSON(parsing: frame) else { throw .malformedJSON }
        guard case .object(let members) = json else { throw .notAnObject }
        guard case .string(let event)? = members["event"], !event.isEmpty else { throw .missingEvent }
        var channel: String?
        switch members["channel"] {
        case nil, .null?: channel = nil
        case .string(let name)?: channel = name
        default: throw .invalidChannel
        }
        return PusherMessage(event: event, channel: channel, data: unwrapData(members["data"] ?? .null))
    }

    /// Parses a text frame; see `decode(_:maxBytes:)`.
    public static func decode(_ text: String, maxBytes: Int = defaultMaxBytes) throws(PusherMessageError) -> PusherMessage {
        try decode(Array(text.utf8), maxBytes: maxBytes)
    }

    /// The wire JSON text, with non-string `data` JSON-encoded into a string and
    /// `channel`/`data` omitted when absent.
    public func encoded() -> String {
        var members: [String: PusherJSON] = ["event": .string(event)]
        if let channel { members["channel"] = .string(channel) }
        switch data {
        case .null: break
        case .string: members["data"] = data
        default: members["data"] = .string(data.jsonString)
        }
        return PusherJSON.object(members).jsonString
    }

    private static func unwrapData(_ data: PusherJSON) -> PusherJSON {
        guard case .string(let text) = data, let first = text.utf8.first(where: { $0 != 0x20 }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
              let parsed = PusherJSON(parsing: Array(text.utf8)) else { return data }
        return parsed
    }
}
