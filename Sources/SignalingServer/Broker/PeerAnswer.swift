import CallDomain
import CallStore
import Foundation
import PusherProtocol

/// The answer of `POST /appointments/{id}/call/peer`: the participant's new peer id and token,
/// the other participant's current peer id, and where the broker is.
struct PeerAnswer: Encodable {
    let appointmentId: Int64
    let callId: String
    let role: ParticipantRole
    let peerId: String
    /// What to pass as PeerJS's `token` option.
    let token: String
    /// Connect before this instant; a connected peer stays until the call ends.
    let expiresAt: Date
    /// The peer id to signal to; null until the other participant asked for one (it then
    /// arrives as `AppointmentCallPeerChanged`).
    @NullWhenAbsent private(set) var otherPeerId: String?
    /// PeerJS's `path` and `key` options.
    let broker: Broker

    struct Broker: Encodable {
        let path: String
        let key: String
    }

    init(_ issued: IssuedPeer, app: PusherApp, path: String) {
        appointmentId = issued.peer.appointmentId
        callId = issued.peer.callId.uuidString.lowercased()
        role = issued.role
        peerId = issued.peer.peerId
        token = issued.peer.token(app: app)
        expiresAt = issued.peer.expiresAt
        otherPeerId = issued.otherPeerId
        broker = Broker(path: path, key: app.key)
    }
}
