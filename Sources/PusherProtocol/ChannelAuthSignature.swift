/// Signatures for private/presence channel authorization and `pusher:signin` user
/// authentication, as returned by an app's `/broadcasting/auth` (or `/pusher/auth`)
/// endpoint and checked by the WebSocket server.
///
/// The signature is the lowercase hex HMAC-SHA256, keyed with the app secret, of:
/// - private channels: `socket_id:channel_name`
/// - presence channels: `socket_id:channel_name:channel_data`
/// - user sign-in: `socket_id::user::user_data`
///
/// The `auth` value sent over the wire is `key:signature`.
public struct ChannelAuthSignature: Sendable, Hashable {
    /// The app key that prefixes the auth string.
    public let key: String
    /// The lowercase hex HMAC-SHA256 signature.
    public let signature: String

    /// Wraps an already computed key and signature.
    public init(key: String, signature: String) {
        self.key = key
        self.signature = signature
    }

    /// The wire form, `key:signature`.
    public var auth: String { "\(key):\(signature)" }

    /// Splits an `auth` value at its first colon byte into key and signature.
    ///
    /// The split is on UTF-8 bytes, as Pusher's servers do, not on `Character`s: a combining
    /// mark after the colon fuses with it into one grapheme, which a `Character` search
    /// would not find. Returns nil when there is no colon or either side is empty.
    public init?(auth: String) {
        let bytes = auth.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let key = String(decoding: bytes[..<colon], as: UTF8.self)
        let signature = String(decoding: bytes[bytes.index(after: colon)...], as: UTF8.self)
        guard !key.isEmpty, !signature.isEmpty else { return nil }
        self.init(key: key, signature: signature)
    }

    /// The exact string that is signed for a channel subscription.
    public static func stringToSign(socketID: String, channel: String, channelData: String? = nil) -> String {
        if let channelData { return "\(socketID):\(channel):\(channelData)" }
        return "\(socketID):\(channel)"
    }

    /// The exact string that is signed for a `pusher:signin` user authentication.
    public static func userStringToSign(socketID: String, userData: String) -> String {
        "\(socketID)::user::\(userData)"
    }

    /// Signs a channel subscription. Pass `channelData` (the JSON string sent to the
    /// client verbatim) for presence channels, nil for private ones.
    public static func channel(app: PusherApp, socketID: String, channel: String,
                               channelData: String? = nil) -> ChannelAuthSignature {
        sign(app: app, stringToSign(socketID: socketID, channel: channel, channelData: channelData))
    }

    /// Signs a `pusher:signin` user authentication over the JSON `userData` string.
    public static func user(app: PusherApp, socketID: String, userData: String) -> ChannelAuthSignature {
        sign(app: app, userStringToSign(socketID: socketID, userData: userData))
    }

    /// Verifies a client-supplied channel `auth` value.
    ///
    /// The key must equal the app key and the signature must match, compared in
    /// constant time. Malformed auth strings are simply refused.
    public static func verifyChannel(auth: String, app: PusherApp, socketID: String, channel: String,
                                     channelData: String? = nil) -> Bool {
        let expected = Self.channel(app: app, socketID: socketID, channel: channel, channelData: channelData)
        return matches(auth: auth, expected: expected)
    }

    /// Verifies a client-supplied `pusher:signin` `auth` value over `userData`.
    public static func verifyUser(auth: String, app: PusherApp, socketID: String, userData: String) -> Bool {
        matches(auth: auth, expected: user(app: app, socketID: socketID, userData: userData))
    }

    private static func sign(app: PusherApp, _ message: String) -> ChannelAuthSignature {
        ChannelAuthSignature(key: app.key, signature: PusherCrypto.hmacSHA256Hex(secret: app.secret, message: message))
    }

    private static func matches(auth: String, expected: ChannelAuthSignature) -> Bool {
        guard let given = ChannelAuthSignature(auth: auth) else { return false }
        // Evaluate both comparisons unconditionally so a key mismatch is not faster.
        let keyOK = PusherCrypto.constantTimeEquals(given.key, expected.key)
        let signatureOK = PusherCrypto.constantTimeEquals(given.signature, expected.signature)
        return keyOK && signatureOK
    }
}
