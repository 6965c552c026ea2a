/// Credentials of one Pusher Channels application.
///
/// `description` and `debugDescription` deliberately omit the secret so an app
/// can be logged or interpolated without leaking it.
public struct PusherApp: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The application id (appears in HTTP API paths such as `/apps/{id}/events`).
    public let id: String
    /// The public key clients connect with (`/app/{key}`) and that prefixes auth strings.
    public let key: String
    /// The shared secret used for every HMAC; never printed.
    public let secret: String

    /// Creates an app from its id, public key and secret.
    public init(id: String, key: String, secret: String) {
        self.id = id
        self.key = key
        self.secret = secret
    }

    /// A log-safe summary: id and key only.
    public var description: String { "PusherApp(id: \(id), key: \(key), secret: <redacted>)" }

    /// Same as `description`; the secret is never shown.
    public var debugDescription: String { description }
}
