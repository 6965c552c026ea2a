import Foundation

/// The token that lets a browser connect to callctl's PeerJS broker as a peer id callctl issued
/// (docs/design.md, "PeerJS broker"): the expiry (Unix seconds) and an HMAC-SHA256, keyed with
/// the app's secret, over the app key, peer id, user, appointment, call and expiry.
/// Short-lived and bound to one participant of one call; checked in constant time.
public enum PeerToken {
    /// Who a token is for.
    public struct Binding: Sendable, Equatable {
        public let peerId: String
        public let userId: Int64
        public let appointmentId: Int64
        /// The call id as a lowercase UUID string.
        public let callId: String

        /// Creates a binding.
        public init(peerId: String, userId: Int64, appointmentId: Int64, callId: UUID) {
            self.peerId = peerId
            self.userId = userId
            self.appointmentId = appointmentId
            self.callId = callId.uuidString.lowercased()
        }
    }

    /// Why a token is refused.
    public enum Problem: Sendable, Equatable {
        case malformed, forged, expired

        /// The PeerJS ERROR message the broker sends.
        public var message: String {
            switch self {
            case .malformed, .forged: "Invalid token provided"
            case .expired: "Token expired: ask POST /appointments/{id}/call/peer for a new peer id"
            }
        }
    }

    /// The token for `binding` on `app`, valid until `expiry` (whole seconds, rounded down).
    public static func make(for binding: Binding, expiry: Date, app: PusherApp) -> String {
        let seconds = Int64(expiry.timeIntervalSince1970.rounded(.down))
        return "\(seconds).\(signature(binding, expiry: seconds, app: app))"
    }

    /// Nil when `token` is `binding`'s on `app` and not expired at `now`.
    public static func check(_ token: String, for binding: Binding, app: PusherApp, now: Date) -> Problem? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 12, let expiry = Int64(parts[0]), expiry > 0 else { return .malformed }
        guard PusherCrypto.constantTimeEquals(String(parts[1]), signature(binding, expiry: expiry, app: app)) else { return .forged }
        guard Double(expiry) > now.timeIntervalSince1970 else { return .expired }
        return nil
    }

    private static func signature(_ binding: Binding, expiry: Int64, app: PusherApp) -> String {
        let message = ["callctl-peerjs-1", app.key, binding.peerId, String(binding.userId), String(binding.appointmentId),
                       binding.callId, String(expiry)].joined(separator: "\n")
        return PusherCrypto.hmacSHA256Hex(secret: app.secret, message: message)
    }
}
