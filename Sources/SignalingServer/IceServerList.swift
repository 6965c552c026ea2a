import Foundation
import ICE

/// `GET /appointments/{id}/call/ice-servers`: the `iceServers` a browser hands to
/// `RTCPeerConnection`. STUN URIs come as one entry without credentials; TURN URIs as one
/// entry with TURN REST credentials (coturn `use-auth-secret`) for this user and appointment,
/// valid for the configured TTL but never past the appointment's window.
struct IceServerList: Encodable {
    struct Entry: Encodable {
        let urls: [String]
        let username: String?
        let credential: String?
    }

    let iceServers: [Entry]
    /// Seconds the credentials stay valid; 0 when there are none.
    let ttl: Int
    /// When the credentials stop working, as Unix seconds; nil when there are none.
    let expiresAt: Int?

    /// The list for `userId` on `appointmentId`; TURN credentials expire after the configured
    /// TTL or at `deadline` (the appointment's window end), whichever comes first.
    init(configuration: SignalingConfiguration, userId: Int64, appointmentId: Int64, now: Date, deadline: Date) throws {
        let stun = configuration.iceServers.filter { !$0.scheme.isTURN }.map(\.description)
        let turn = configuration.iceServers.filter { $0.scheme.isTURN }.map(\.description)
        var entries: [Entry] = stun.isEmpty ? [] : [Entry(urls: stun, username: nil, credential: nil)]
        var expiry: Int?
        var lifetime = 0
        if !turn.isEmpty, let secret = configuration.turnSecret {
            lifetime = max(1, min(configuration.turnCredentialTTL, Int(deadline.timeIntervalSince(now).rounded(.down))))
            let credentials = try TurnRESTCredentials(secret: secret, user: "\(userId):\(appointmentId)", ttl: lifetime, now: now)
            entries.append(Entry(urls: turn, username: credentials.username, credential: credentials.password))
            expiry = credentials.expiry
        }
        iceServers = entries
        ttl = lifetime
        expiresAt = expiry
    }
}
