import CallDomain
import Foundation
import PusherProtocol

extension BrokerPeer {
    /// What this peer's token is bound to.
    var tokenBinding: PeerToken.Binding {
        PeerToken.Binding(peerId: peerId, userId: userId, appointmentId: appointmentId, callId: callId)
    }

    /// This peer's token on `app`, valid until ``expiresAt``.
    func token(app: PusherApp) -> String { PeerToken.make(for: tokenBinding, expiry: expiresAt, app: app) }
}
