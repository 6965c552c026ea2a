import Crypto
import Foundation

/// Time-limited TURN credentials as coturn's `use-auth-secret` mode checks them (the
/// "TURN REST API" of draft-uberti-behave-turn-rest): the username is
/// `<expiry unix seconds>:<user>` and the password is
/// `base64(HMAC-SHA1(static-auth-secret, username))`. The server recomputes the password
/// from the username and refuses it after the expiry.
public struct TurnRESTCredentials: Hashable, Sendable {
    /// `<expiry>:<user>`, e.g. `1700003600:alice`.
    public let username: String
    /// Base64 of HMAC-SHA1 of the username under the shared secret.
    public let password: String
    /// When the server stops accepting the credentials, in seconds since 1970.
    public let expiry: Int

    /// Credentials for `user` valid `ttl` seconds from `now`.
    ///
    /// `user` may contain `:`; coturn splits at the first one. `now` is truncated to whole
    /// seconds.
    /// - Throws: `TurnCredentialsError` for a TTL below one second or a time that cannot
    ///   be written as non-negative whole seconds.
    public init(secret: String, user: String, ttl: Int, now: Date) throws(TurnCredentialsError) {
        guard ttl > 0 else { throw .nonPositiveTTL(ttl) }
        guard let seconds = Int(exactly: now.timeIntervalSince1970.rounded(.down)), seconds >= 0 else {
            throw .timeOutOfRange(now.timeIntervalSince1970)
        }
        let (expiry, overflow) = seconds.addingReportingOverflow(ttl)
        guard !overflow else { throw .timeOutOfRange(now.timeIntervalSince1970) }
        let username = "\(expiry):\(user)"
        let code = HMAC<Insecure.SHA1>.authenticationCode(
            for: Array(username.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        self.username = username
        self.password = Data(code).base64EncodedString()
        self.expiry = expiry
    }

    /// The long-term MESSAGE-INTEGRITY key for these credentials in the server's `realm`.
    public func integrityKey(realm: String) -> MessageIntegrityKey {
        .longTerm(username: username, realm: realm, password: password)
    }
}

/// Why TURN REST credentials cannot be made.
public enum TurnCredentialsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The time to live is zero or negative.
    case nonPositiveTTL(Int)
    /// The current time (seconds since 1970) or the expiry is not a representable
    /// non-negative whole number of seconds.
    case timeOutOfRange(Double)

    /// A sentence naming the fault.
    public var description: String {
        switch self {
        case .nonPositiveTTL(let ttl): "TURN credential TTL must be at least 1 second, not \(ttl)"
        case .timeOutOfRange(let time): "time \(time) cannot be a TURN credential expiry"
        }
    }
}
