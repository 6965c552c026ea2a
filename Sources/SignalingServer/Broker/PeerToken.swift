import CallDomain
import Foundation
import PusherProtocol

/// The token that lets a browser connect to the broker as a peer id callctl issued: the
/// expiry (Unix seconds) and an HMAC-SHA256, keyed with the app's secret, over the app key,
/// peer id, user, appointment, call and expiry. Short-lived and bound to one participant of
/// one call; checked in constant time.
enum PeerToken {
    /// Why a token is refused.
    enum Problem: Equatable {
        case malformed, forged, expired

        /// The PeerJS ERROR message the broker sends.
        var message: String {
            switch self {
            case .malformed, .forged: "Invalid token provided"
            case .expired: "Token expired: ask POST /appointments/{id}/call/peer for a new peer id"
            }
        }
    }

    /// The token for `peer` on `app`.
    static func make(for peer: BrokerPeer, app: PusherApp) -> String {
        let expiry = Int64(peer.expiresAt.timeIntervalSince1970.rounded(.down))
        return "\(expiry).\(signature(peer, expiry: expiry, app: app))"
    }

    /// Nil when `token` is `peer`'s on `app` and not expired at `now`.
    static func check(_ token: String, for peer: BrokerPeer, app: PusherApp, now: Date) -> Problem? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 12, let expiry = Int64(parts[0]), expiry > 0 else { return .malformed }
        guard PusherCrypto.constantTimeEquals(String(parts[1]), signature(peer, expiry: expiry, app: app)) else { return .forged }
        guard Double(expiry) > now.timeIntervalSince1970 else { return .expired }
        return nil
    }

    private static func signature(_ peer: BrokerPeer, expiry: Int64, app: PusherApp) -> String {
        let message = ["callctl-peerjs-1", app.key, peer.peerId, String(peer.userId), String(peer.appointmentId),
                       peer.callId.uuidString.lowercased(), String(expiry)].joined(separator: "\n")
        return PusherCrypto.hmacSHA256Hex(secret: app.secret, message: message)
    }
}
