/// The kind of a Pusher channel, derived from its name prefix.
public enum ChannelKind: String, Sendable, Hashable, CaseIterable {
    /// No auth needed; any name without a reserved prefix.
    case `public`
    /// `private-…`: subscription requires a signed `auth`.
    case `private`
    /// `private-encrypted-…`: end-to-end encrypted; auth plus a per-channel shared secret.
    case privateEncrypted
    /// `presence-…`: auth signed over `channel_data` carrying the member's `user_id`.
    case presence

    /// True when subscribing needs a signature from the app's auth endpoint.
    public var requiresAuth: Bool { self != .public }
}

/// A validated Pusher channel name.
///
/// Per the Pusher docs, names may contain only `A-Z a-z 0-9 _ - = @ , . ;` and be at most
/// 164 characters long.
public struct PusherChannelName: Sendable, Hashable, CustomStringConvertible {
    /// Maximum channel name length accepted by Pusher.
    public static let maxLength = 164
    /// Maximum event name length accepted by Pusher.
    public static let maxEventNameLength = 200
    /// Prefix every client-triggered event name must carry.
    public static let clientEventPrefix = "client-"

    /// The full name, including any prefix.
    public let rawValue: String
    /// The kind implied by the prefix.
    public let kind: ChannelKind

    /// Validates `rawValue` (length and allowed characters) and classifies it; nil if invalid.
    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= Self.maxLength,
              rawValue.utf8.allSatisfy(Self.isAllowed) else { return nil }
        self.rawValue = rawValue
        if rawValue.hasPrefix("private-encrypted-") {
            kind = .privateEncrypted
        } else if rawValue.hasPrefix("private-") {
            kind = .private
        } else if rawValue.hasPrefix("presence-") {
            kind = .presence
        } else {
            kind = .public
        }
    }

    /// Whether a client may trigger `event` on this channel.
    ///
    /// Client events must be named `client-…` (at most 200 characters) and are only
    /// allowed on private and presence channels; public channels have no authenticated
    /// sender and encrypted channels do not support client events.
    public func allowsClientEvent(_ event: String) -> Bool {
        guard event.hasPrefix(Self.clientEventPrefix),
              event.utf8.count <= Self.maxEventNameLength else { return false }
        return kind == .private || kind == .presence
    }

    /// The full name.
    public var description: String { rawValue }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("_-=@,.;".utf8).contains(byte)
        }
    }
}
