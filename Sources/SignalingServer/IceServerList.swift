import Foundation
import ICE

/// `GET /appointments/{id}/call/ice-servers`: the `iceServers` a browser hands to
/// `RTCPeerConnection`. STUN URIs come as one entry without credentials; TURN URIs as one
/// entry with TURN REST credentials (coturn `use-auth-secret`) for this user and appointment,
/// valid for the configured TTL.
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

    init(configuration: SignalingConfiguration, userId: Int64, appointmentId: Int64, now: Date) throws {
        let stun = configuration.iceServers.filter { !$0.scheme.isTURN }.map(\.description)
        let turn = configuration.iceServers.filter { $0.scheme.isTURN }.map(\.description)
        var entries: [Entry] = stun.isEmpty ? [] : [Entry(urls: stun, username: nil, credential: nil)]
        var expiry: Int?
        if !turn.isEmpty, let secret = configuration.turnSecret {
            let credentials = try TurnRESTCredentials(secret: secret, user: "\(userId):\(appointmentId)",
                                                      ttl: configuration.turnCredentialTTL, now: now)
            entries.append(Entry(urls: turn, username: credentials.username, credential: credentials.password))
            expiry = credentials.expiry
        }
        iceServers = entries
        ttl = expiry == nil ? 0 : configuration.turnCredentialTTL
        expiresAt = expiry
    }
}
