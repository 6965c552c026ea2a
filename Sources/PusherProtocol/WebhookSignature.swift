import Foundation

/// The signature of callctl's incoming webhooks (docs/design.md, "Recordings"): the sender
/// puts the Unix time in `X-Callctl-Timestamp` and `v1=` + hex HMAC-SHA256, keyed with the
/// shared secret, of `"{timestamp}.{body}"` in `X-Callctl-Signature`. The timestamp must be
/// within the replay window of the receiver's clock; the signature is compared in constant
/// time. A replay inside the window is caught by the webhook's idempotency, one outside it by
/// the window.
public enum WebhookSignature {
    /// The timestamp header's name.
    public static let timestampHeader = "X-Callctl-Timestamp"
    /// The signature header's name.
    public static let signatureHeader = "X-Callctl-Signature"
    /// How far the timestamp may be from the receiver's clock, either way.
    public static let replayWindow: TimeInterval = 300

    /// Why a request is refused.
    public enum Problem: Sendable, Equatable, Error {
        /// A header is missing or not of the documented form.
        case malformed(String)
        /// The signature does not match the body and timestamp.
        case mismatch
        /// The timestamp is `age` seconds from the receiver's clock (negative: in the future).
        case stale(age: Int64)
    }

    /// The signature header's value for `body` sent at `timestamp`.
    public static func sign(body: some DataProtocol, timestamp: Int64, secret: String) -> String {
        "v1=" + PusherCrypto.hmacSHA256Hex(secret: secret, bytes: Data("\(timestamp).".utf8) + Data(body))
    }

    /// Checks a request's headers against its body at `now`.
    public static func verify(body: some DataProtocol, timestamp: String?, signature: String?, secret: String,
                              now: Date) throws(Problem) {
        guard let timestamp, let seconds = Int64(timestamp), timestamp.utf8.count <= 12 else {
            throw .malformed("\(timestampHeader) must be the Unix time in seconds")
        }
        guard let signature, signature.hasPrefix("v1="), signature.utf8.count == 67 else {
            throw .malformed("\(signatureHeader) must be v1= and 64 hex digits")
        }
        guard PusherCrypto.constantTimeEquals(signature, sign(body: body, timestamp: seconds, secret: secret)) else {
            throw .mismatch
        }
        let age = Int64(now.timeIntervalSince1970.rounded(.down)) - seconds
        guard abs(age) <= Int64(replayWindow) else { throw .stale(age: age) }
    }
}
