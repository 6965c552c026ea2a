/// Why a bearer token is refused. Every case answers 401 `unauthenticated`; the message says
/// which check failed and never repeats the token.
public struct AccessTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which check failed.
    public enum Kind: String, Sendable, Equatable {
        /// Not three base64url parts with a JSON header and payload, or too long; a header or
        /// payload member given twice; a `crit` header.
        case malformed
        /// The header names another algorithm than the configured one.
        case wrongAlgorithm = "wrong_algorithm"
        /// The signature does not verify with the configured key.
        case badSignature = "bad_signature"
        /// No `exp` claim.
        case missingExpiry = "missing_expiry"
        /// `exp` is in the past.
        case expired
        /// `exp` is further from now than the verifier's maximum lifetime.
        case lifetimeTooLong = "lifetime_too_long"
        /// `nbf` is in the future.
        case notYetValid = "not_yet_valid"
        /// `sub` is not a positive integer spelled canonically (no sign, leading zero, fraction or exponent).
        case badSubject = "bad_subject"
        /// Passport marked the token revoked, or does not know its `jti`.
        case revoked
    }

    /// Which check failed.
    public let kind: Kind
    /// A sentence for the error body and the log.
    public let message: String

    /// Creates the error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// The configured key cannot verify anything: the daemon refuses to start (exit 78).
public struct AccessTokenConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it; never contains the secret.
    public let description: String

    init(_ description: String) { self.description = description }
}
